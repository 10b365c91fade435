package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadBalancer#execute} against real HTTP backends on loopback: three servers, one answering
 * 500, two answering 200 with their name.
 *
 * <p>The backends and the client are a minimal HTTP/1.1 over {@code java.net} sockets: the tests of
 * lb-core compile inside the {@code dev.lbkit.core} module, which reads neither {@code
 * jdk.httpserver} nor {@code java.net.http}.
 */
class LoadBalancerFailoverTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30); // only bounds a hang

  /** One loopback HTTP backend whose answer the test can switch; one request per connection. */
  private static final class Backend {
    final String name;
    final ServerSocket socket;
    final Thread acceptor;
    final AtomicBoolean failing;
    final AtomicInteger hits = new AtomicInteger();
    final Server server;

    Backend(String name, boolean failing) throws IOException {
      this.name = name;
      this.failing = new AtomicBoolean(failing);
      this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.server = new Server("127.0.0.1", socket.getLocalPort());
      this.acceptor = new Thread(this::serve, "http backend " + name);
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket connection = socket.accept()) {
          connection.setSoTimeout((int) TIMEOUT.toMillis());
          readHead(connection.getInputStream());
          hits.incrementAndGet();
          boolean fail = failing.get();
          byte[] body = (fail ? "error from " + name : name).getBytes(StandardCharsets.UTF_8);
          String head =
              (fail ? "HTTP/1.1 500 Internal Server Error" : "HTTP/1.1 200 OK")
                  + "\r\nContent-Type: text/plain\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n";
          OutputStream out = connection.getOutputStream();
          out.write(head.getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        } catch (SocketException e) {
          // closed by stop()
        } catch (IOException e) {
          // a broken client connection: serve the next one
        }
      }
    }

    /** Reads the request line and headers, up to the empty line. */
    private static void readHead(InputStream in) throws IOException {
      int last4 = 0; // the last four bytes read
      while (last4 != 0x0D0A0D0A) { // CR LF CR LF
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed before the end of the request head");
        }
        last4 = (last4 << 8) | c;
      }
    }

    void stop() throws InterruptedException, IOException {
      socket.close();
      acceptor.join(TIMEOUT.toMillis());
    }
  }

  private final List<Backend> backends = new ArrayList<>();
  private Backend broken;
  private Backend okOne;
  private Backend okTwo;

  @BeforeEach
  void startBackends() throws IOException {
    broken = start("broken", true);
    okOne = start("ok-1", false);
    okTwo = start("ok-2", false);
  }

  private Backend start(String name, boolean failing) throws IOException {
    Backend b = new Backend(name, failing);
    backends.add(b);
    return b;
  }

  @AfterEach
  void stopBackends() throws Exception {
    for (Backend b : backends) {
      b.stop();
    }
    assertThat(backends).allSatisfy(b -> assertThat(b.acceptor.isAlive()).isFalse());
  }

  private List<Server> servers() {
    return List.of(broken.server, okOne.server, okTwo.server);
  }

  /** A GET on the server, bounded by {@link #TIMEOUT}; anything but 200 is a failure. */
  private String get(Server server) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(server.host(), server.port()), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      String request =
          "GET /api HTTP/1.1\r\nHost: " + server.id() + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int headEnd = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.1 ") || headEnd < 0) {
        throw new IOException(server.id() + " sent a malformed response: " + response);
      }
      int status = Integer.parseInt(response.substring(9, 12));
      if (status != 200) {
        throw new IOException(server.id() + " answered " + status);
      }
      return response.substring(headEnd + 4);
    }
  }

  @Test
  void everyCallSucceedsAlthoughAFailingServerIsInRotation() {
    FakeTicker ticker = new FakeTicker();
    LoadBalancer lb =
        LoadBalancer.builder(servers())
            .retryBudget(RetryBudget.create(1.0, 10, ticker))
            .ticker(ticker)
            .build();
    for (int i = 0; i < 30; i++) {
      assertThat(lb.execute(path("/api/" + i), this::get)).isIn("ok-1", "ok-2");
    }
    assertThat(broken.hits.get()).as("the failing server was tried").isPositive();

    Stats stats = lb.stats();
    ServerStats bad = stats.servers().get(broken.server.id());
    assertThat(bad.errors()).isEqualTo(broken.hits.get()).isEqualTo(bad.completed());
    assertThat(bad.errorRate()).isEqualTo(1.0);
    for (Backend ok : List.of(okOne, okTwo)) {
      ServerStats s = stats.servers().get(ok.server.id());
      assertThat(s.errors()).as(ok.name).isZero();
      assertThat(s.completed()).isEqualTo(ok.hits.get());
    }
    assertThat(
            stats.servers().get(okOne.server.id()).completed()
                + stats.servers().get(okTwo.server.id()).completed())
        .isEqualTo(30);
    assertThat(stats.activeConnections()).isZero();
  }

  @Test
  void whenEveryServerFailsTheFailoverExceptionCarriesEveryAttempt() {
    okOne.failing.set(true);
    okTwo.failing.set(true);
    LoadBalancer lb = new LoadBalancer(servers());
    assertThatThrownBy(() -> lb.execute(path("/api"), this::get))
        .isInstanceOfSatisfying(
            FailoverException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(3);
              assertThat(e.getCause()).isInstanceOf(IOException.class);
              assertThat(e.getSuppressed())
                  .hasSize(2)
                  .allSatisfy(s -> assertThat(s).isInstanceOf(IOException.class));
              assertThat(e.getMessage()).contains("3 server(s)").contains(broken.server.id());
            });
    assertThat(backends).allSatisfy(b -> assertThat(b.hits).hasValue(1));
    assertThat(lb.stats().totalErrors()).isEqualTo(3);
    assertThat(lb.stats().activeConnections()).isZero();
  }

  @Test
  void maxAttemptsBoundsTheServersTried() {
    okOne.failing.set(true);
    okTwo.failing.set(true);
    LoadBalancer lb = LoadBalancer.builder(servers()).maxAttempts(2).build();
    assertThatThrownBy(() -> lb.execute(path("/api"), this::get))
        .isInstanceOfSatisfying(
            FailoverException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(2);
              assertThat(e.getSuppressed()).hasSize(1);
            });
    assertThat(backends.stream().mapToInt(b -> b.hits.get()).sum()).isEqualTo(2);
  }

  @Test
  void anEmptyRetryBudgetMeansNoRetries() {
    FakeTicker ticker = new FakeTicker();
    LoadBalancer lb =
        LoadBalancer.builder(servers())
            .retryBudget(RetryBudget.create(0.0, 0, ticker))
            .ticker(ticker)
            .build(); // round robin: the broken server goes first
    assertThatThrownBy(() -> lb.execute(path("/api"), this::get))
        .isInstanceOfSatisfying(
            FailoverException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(1);
              assertThat(e.getCause()).hasMessageContaining("answered 500");
              assertThat(e.getSuppressed()).isEmpty();
            });
    assertThat(broken.hits).hasValue(1);
    assertThat(okOne.hits).hasValue(0);
    assertThat(lb.execute(path("/api"), this::get)).isEqualTo("ok-1");
  }

  @Test
  void theRetryBudgetCapsRetriesDuringAnOutage() {
    okOne.failing.set(true);
    okTwo.failing.set(true);
    FakeTicker ticker = new FakeTicker();
    // 0.5 retries per request, no floor: 10 requests earn 5 retries, taken as they are earned.
    LoadBalancer lb =
        LoadBalancer.builder(servers())
            .retryBudget(RetryBudget.create(0.5, 0, ticker))
            .ticker(ticker)
            .build();
    int attempts = 0;
    for (int i = 0; i < 10; i++) {
      try {
        lb.execute(path("/api"), this::get);
      } catch (FailoverException e) {
        attempts += e.attempts();
      }
    }
    assertThat(attempts).isEqualTo(10 + 5);
    assertThat(backends.stream().mapToInt(b -> b.hits.get()).sum()).isEqualTo(15);
  }

  @Test
  void onlyTheServersNotYetTriedAreRetried() {
    List<Server> tried = new ArrayList<>();
    LoadBalancer lb = new LoadBalancer(servers());
    assertThatThrownBy(
            () ->
                lb.execute(
                    path("/api"),
                    server -> {
                      tried.add(server);
                      throw new IOException("down: " + server.id());
                    }))
        .isInstanceOf(FailoverException.class);
    assertThat(tried).doesNotHaveDuplicates().hasSize(3);
  }

  @Test
  void aFailoverWithNothingLeftToTryStopsEarly() {
    LoadBalancer lb = new LoadBalancer(List.of(broken.server));
    assertThatThrownBy(() -> lb.execute(path("/api"), this::get))
        .isInstanceOfSatisfying(
            FailoverException.class, e -> assertThat(e.attempts()).isEqualTo(1));
  }

  @Test
  void anInterruptedCallIsNotRetried() {
    LoadBalancer lb = new LoadBalancer(servers());
    AtomicInteger calls = new AtomicInteger();
    try {
      assertThatThrownBy(
              () ->
                  lb.execute(
                      path("/api"),
                      server -> {
                        calls.incrementAndGet();
                        throw new InterruptedException("stop");
                      }))
          .isInstanceOfSatisfying(
              FailoverException.class,
              e -> {
                assertThat(e.attempts()).isEqualTo(1);
                assertThat(e.getCause()).isInstanceOf(InterruptedException.class);
              });
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt restored").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(calls).hasValue(1);
  }

  @Test
  void anErrorIsRecordedAndRethrownWithoutRetry() {
    LoadBalancer lb = new LoadBalancer(servers());
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                lb.execute(
                    path("/api"),
                    server -> {
                      calls.incrementAndGet();
                      throw new StackOverflowError("deep");
                    }))
        .isInstanceOf(StackOverflowError.class);
    assertThat(calls).hasValue(1);
    assertThat(lb.stats().totalErrors()).isEqualTo(1);
    assertThat(lb.stats().activeConnections()).isZero();
  }
}
