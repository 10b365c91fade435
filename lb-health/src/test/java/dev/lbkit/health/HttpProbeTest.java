package dev.lbkit.health;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpServer;
import dev.lbkit.core.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpProbeTest {

  /** The timeout of a probe that must give up: short, so that the test is quick. */
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  /**
   * The timeout of a probe whose server answers: generous, since only the outcome is checked and a
   * busy machine (or the first use of a client) can take longer than {@link #TIMEOUT}.
   */
  private static final Duration ANSWERED = Duration.ofSeconds(10);

  /** A timeout was respected if the probe returned within it plus this (a generous bound). */
  private static final Duration MARGIN =
      Duration.ofSeconds(5); // generous: proves a bound, times nothing

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** ::1, whether or not this machine has it. */
  private static final InetAddress IPV6_LOOPBACK = ipv6Loopback();

  private static InetAddress ipv6Loopback() {
    byte[] address = new byte[16];
    address[15] = 1;
    try {
      return InetAddress.getByAddress(address);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e); // only for a wrong length
    }
  }

  /** Closed last-in first-out after each test; acceptor threads add to it too. */
  private final Deque<AutoCloseable> toClose = new ConcurrentLinkedDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable next = toClose.pollFirst(); next != null; next = toClose.pollFirst()) {
      next.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.addFirst(closeable);
    return closeable;
  }

  // ---------------------------------------------------------------- servers

  /** A real HTTP server answering {@code GET /health} with {@code status} and {@code body}. */
  private HttpServer httpServer(InetSocketAddress address, int status, String body)
      throws IOException {
    HttpServer server = HttpServer.create(address, 50);
    server.createContext(
        "/health",
        exchange -> {
          byte[] bytes = body.getBytes(UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    closeLater(() -> server.stop(0));
    return server;
  }

  private HttpServer httpServer(int status, String body) throws IOException {
    return httpServer(new InetSocketAddress(LOOPBACK, 0), status, body);
  }

  private static Server serverAt(HttpServer http) {
    return new Server("127.0.0.1", http.getAddress().getPort());
  }

  /**
   * A raw TCP server that hands each accepted connection to {@code handler} on the acceptor thread
   * (the handler must not block) and keeps it open until the test ends.
   */
  private ServerSocket rawServer(Consumer<Socket> handler) throws IOException {
    ServerSocket socket = closeLater(new ServerSocket(0, 50, LOOPBACK));
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  handler.accept(closeLater(socket.accept()));
                }
              } catch (IOException | RuntimeException closed) {
                // the test is over (the socket, or what the handler uses, is closed)
              }
            },
            "test-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    return socket;
  }

  private static Server serverAt(ServerSocket socket) {
    return new Server("127.0.0.1", socket.getLocalPort());
  }

  /** Accepts connections and never says a word. */
  private ServerSocket hangingServer() throws IOException {
    return rawServer(connection -> {});
  }

  /**
   * Accepts connections, sends {@code head} at once, then {@code trickle} one byte every {@code
   * period}, from a scheduler rather than a sleeping thread.
   */
  private ServerSocket tricklingServer(String head, String trickle, Duration period)
      throws IOException {
    ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    closeLater(writer::shutdownNow);
    byte[] slow = trickle.getBytes(US_ASCII);
    return rawServer(
        connection -> {
          AtomicInteger next = new AtomicInteger();
          writer.execute(() -> write(connection, head.getBytes(US_ASCII)));
          Future<?> unused =
              writer.scheduleAtFixedRate(
                  () -> {
                    int i = next.getAndIncrement();
                    if (i < slow.length) {
                      write(connection, new byte[] {slow[i]});
                    }
                  },
                  period.toNanos(),
                  period.toNanos(),
                  TimeUnit.NANOSECONDS);
        });
  }

  private static void write(Socket connection, byte[] bytes) {
    try {
      OutputStream out = connection.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e); // the client hung up: stops this periodic task
    }
  }

  /** Probes and checks that the probe returned within the timeout plus the margin. */
  private static ProbeResult probeWithin(Probe probe, Server server, Duration timeout)
      throws Exception {
    long start = System.nanoTime();
    ProbeResult result = probe.probe(server, timeout);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.plus(MARGIN));
    return result;
  }

  // ---------------------------------------------------------------- status

  @Test
  void passesOn200() throws Exception {
    ProbeResult result = Probe.http("/health").probe(serverAt(httpServer(200, "ok")), ANSWERED);

    assertThat(result.isPassed()).as("%s", result).isTrue();
    assertThat(result.load()).isEmpty();
  }

  @Test
  void passesOnAnother2xxWithNoBody() throws Exception {
    assertThat(Probe.http("/health").probe(serverAt(httpServer(204, "")), ANSWERED).isPassed())
        .isTrue();
  }

  @Test
  void failsOn500WithTheStatusAsTheReason() throws Exception {
    ProbeResult result = Probe.http("/health").probe(serverAt(httpServer(500, "boom")), ANSWERED);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.reason()).isEqualTo("HTTP 500 (expected: 2xx)");
    assertThat(result.cause()).isNull();
  }

  @Test
  void failsOnARedirectAndOnNotFound() throws Exception {
    Server server = serverAt(httpServer(302, ""));

    assertThat(Probe.http("/health").probe(server, ANSWERED).reason())
        .isEqualTo("HTTP 302 (expected: 2xx)");
    assertThat(Probe.http("/elsewhere").probe(server, ANSWERED).reason())
        .isEqualTo("HTTP 404 (expected: 2xx)");
  }

  @Test
  void failsWithTheCauseWhenTheConnectionIsRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      port = socket.getLocalPort();
    }

    ProbeResult result = probeWithin(Probe.http("/health"), new Server("127.0.0.1", port), TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(ConnectException.class);
  }

  // ---------------------------------------------------------------- body and load

  private static Predicate<String> workerIs(String id) {
    return body -> body.contains("\"worker_id\": \"" + id + "\"");
  }

  @Test
  void checksTheWorkersIdentityInTheBody() throws Exception {
    Server server = serverAt(httpServer(200, "{\"worker_id\": \"w-2\", \"status\": \"up\"}"));

    assertThat(Probe.http("/health", workerIs("w-2")).probe(server, ANSWERED).isPassed()).isTrue();
    ProbeResult impostor = Probe.http("/health", workerIs("w-1")).probe(server, ANSWERED);
    assertThat(impostor.isPassed()).isFalse();
    assertThat(impostor.reason()).isEqualTo("body rejected");
  }

  @Test
  void aBodyPredicateThatThrowsFailsTheProbeWithItsCause() throws Exception {
    IllegalStateException thrown = new IllegalStateException("not JSON");
    Probe probe =
        Probe.http(
            "/health",
            body -> {
              throw thrown;
            });

    ProbeResult result = probe.probe(serverAt(httpServer(200, "<html>")), ANSWERED);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isSameAs(thrown);
  }

  @Test
  void aBodyPredicateIsNotAskedAboutAFailedStatus() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    Probe probe = Probe.http("/health", body -> asked.incrementAndGet() > 0);

    assertThat(probe.probe(serverAt(httpServer(503, "{}")), ANSWERED).reason())
        .isEqualTo("HTTP 503 (expected: 2xx)");
    assertThat(asked).hasValue(0);
  }

  private static final Pattern QUEUE_DEPTH = Pattern.compile("\"queue_depth\"\\s*:\\s*(-?\\d+)");

  /** Reads {@code "queue_depth": n} from a JSON body: a load extractor. */
  private static long queueDepth(String body) {
    Matcher m = QUEUE_DEPTH.matcher(body);
    if (!m.find()) {
      throw new IllegalArgumentException("no queue_depth in " + body);
    }
    return Long.parseLong(m.group(1));
  }

  private static Probe loadProbe() {
    return Probe.httpBuilder("/health").load(HttpProbeTest::queueDepth).build();
  }

  @Test
  void readsTheReportedLoadFromTheBody() throws Exception {
    ProbeResult result =
        loadProbe().probe(serverAt(httpServer(200, "{\"queue_depth\": 7}")), ANSWERED);

    assertThat(result.isPassed()).isTrue();
    assertThat(result.load()).hasValue(7);
  }

  @Test
  void aLoadExtractorThatThrowsFailsTheProbeWithItsCause() throws Exception {
    ProbeResult result = loadProbe().probe(serverAt(httpServer(200, "{\"busy\": true}")), ANSWERED);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no queue_depth");
  }

  @Test
  void aNegativeLoadFailsTheProbe() throws Exception {
    ProbeResult result =
        loadProbe().probe(serverAt(httpServer(200, "{\"queue_depth\": -3}")), ANSWERED);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.reason()).isEqualTo("load: -3 (expected: >= 0)");
  }

  @Test
  void theLoadIsReadOnlyFromABodyThePredicateAccepted() throws Exception {
    Probe probe = Probe.http("/health", workerIs("w-1"), HttpProbeTest::queueDepth);
    Server server = serverAt(httpServer(200, "{\"worker_id\": \"w-2\", \"queue_depth\": 7}"));

    assertThat(probe.probe(server, ANSWERED).reason()).isEqualTo("body rejected");
  }

  @Test
  void readsAtMost64KibOfTheBody() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    Probe probe =
        Probe.http(
            "/health",
            body -> {
              seen.set(body);
              return true;
            });
    String huge = "x".repeat(1 << 20);

    ProbeResult result = probe.probe(serverAt(httpServer(200, huge)), Duration.ofSeconds(5));

    assertThat(result.isPassed()).isTrue();
    assertThat(seen.get()).hasSize(HttpProbe.MAX_BODY_BYTES).isEqualTo(huge.substring(0, 65_536));
  }

  // ---------------------------------------------------------------- bounded by the timeout

  @Test
  void failsWithinTheTimeoutWhenTheServerAcceptsAndNeverAnswers() throws Exception {
    Server server = serverAt(hangingServer());

    ProbeResult result = probeWithin(Probe.http("/health"), server, TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(HttpTimeoutException.class);
    assertThat(result.reason()).contains("GET http://127.0.0.1:").contains("/health");
  }

  @Test
  void givingUpClosesTheConnection() throws Exception {
    // Headers at once, then silence: HttpRequest.timeout has stopped counting, so only the probe's
    // cancelling of the exchange can close this connection.
    BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".getBytes(US_ASCII);
    Server server =
        serverAt(
            rawServer(
                connection -> {
                  write(connection, head);
                  accepted.add(connection);
                }));

    ProbeResult result = probeWithin(Probe.http("/health"), server, TIMEOUT);
    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(HttpTimeoutException.class);

    Socket connection = accepted.poll(5, TimeUnit.SECONDS);
    assertThat(connection).as("the probe connected").isNotNull();
    connection.setSoTimeout(5_000); // bounds the reads: EOF is expected well before
    InputStream in = connection.getInputStream();
    int read;
    do {
      read = in.read(); // the request, then EOF once the abandoned exchange is closed
    } while (read >= 0);
    assertThat(read).isEqualTo(-1);
  }

  @Test
  void failsWithinTheTimeoutWhenTheServerAnswersOneByteASecond() throws Exception {
    Server server =
        serverAt(
            tricklingServer(
                "", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Duration.ofSeconds(1)));

    ProbeResult result = probeWithin(Probe.http("/health"), server, TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void failsWithinTheTimeoutWhenTheHeadersComeAtOnceAndTheBodyTrickles() throws Exception {
    // Busy all along, one byte every 20 ms: no idle timer would fire, and HttpRequest.timeout
    // stops counting at the headers. Only the probe's own deadline ends this.
    Server server =
        serverAt(
            tricklingServer(
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
                "x".repeat(1000),
                Duration.ofMillis(20)));

    ProbeResult result = probeWithin(Probe.http("/health"), server, TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void anInterruptEndsAWaitingProbeAtOnceAndStaysSet() throws Exception {
    Server server = serverAt(hangingServer());

    Thread.currentThread().interrupt();
    ProbeResult result;
    try {
      result = probeWithin(Probe.http("/health"), server, Duration.ofSeconds(30));
    } finally {
      assertThat(Thread.interrupted()).as("interrupt flag kept (and cleared here)").isTrue();
    }

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void followsAServerThatDiesAndComesBack() throws Exception {
    Probe probe = Probe.http("/health"); // one client, with a pooled connection to the first server
    HttpServer first = httpServer(200, "ok");
    InetSocketAddress address = first.getAddress();
    Server server = serverAt(first);
    assertThat(probe.probe(server, ANSWERED).isPassed()).isTrue();

    first.stop(0);
    ProbeResult whileDown = probeWithin(probe, server, TIMEOUT);
    assertThat(whileDown.isPassed()).isFalse();
    assertThat(whileDown.cause()).isInstanceOf(IOException.class);

    try {
      httpServer(address, 200, "ok");
    } catch (IOException e) {
      assumeThat(false).as("could not listen on port %s again: %s", address, e).isTrue();
    }
    assertThat(probe.probe(server, ANSWERED).isPassed()).isTrue();
  }

  @Test
  void twentyServersAtOnceOneHangingTheOthersPassInTime() throws Exception {
    Duration timeout = Duration.ofSeconds(2); // 19 concurrent answers must fit: not too tight
    Probe probe = Probe.http("/health"); // one instance, shared by all threads
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      servers.add(serverAt(httpServer(200, "ok " + i)));
    }
    int hanging = 7;
    servers.add(hanging, serverAt(hangingServer()));
    ExecutorService threads = Executors.newFixedThreadPool(20);
    closeLater(threads::shutdownNow);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ProbeResult>> results = new ArrayList<>();
    for (Server server : servers) {
      results.add(
          threads.submit(
              () -> {
                go.await();
                return probe.probe(server, timeout);
              }));
    }

    long start = System.nanoTime();
    go.countDown();
    List<ProbeResult> done = new ArrayList<>();
    for (Future<ProbeResult> result : results) {
      done.add(result.get(timeout.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    for (int i = 0; i < 20; i++) {
      assertThat(done.get(i).isPassed())
          .as("server %d: %s", i, done.get(i))
          .isEqualTo(i != hanging);
    }
    assertThat(done.get(hanging).cause()).isInstanceOf(HttpTimeoutException.class);
    assertThat(took).isLessThan(timeout.plus(MARGIN));
  }

  @Test
  void bracketsAnIpv6Host() throws Exception {
    HttpServer http;
    try {
      http = httpServer(new InetSocketAddress(IPV6_LOOPBACK, 0), 200, "ok");
    } catch (IOException e) {
      assumeThat(false).as("no IPv6 loopback here: %s", e).isTrue();
      return;
    }
    int port = http.getAddress().getPort();

    assertThat(Probe.http("/health").probe(new Server("::1", port), ANSWERED).isPassed()).isTrue();
    assertThat(Probe.http("/health").probe(new Server("[::1]", port), ANSWERED).isPassed())
        .isTrue();
  }

  @Test
  void anUnresolvableHostFailsWithinTheTimeout() throws Exception {
    // Resolution happens inside the client's exchange, so the probe's wait bounds it too.
    ProbeResult result =
        probeWithin(Probe.http("/health"), new Server("no-such-host.invalid", 80), TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(IOException.class);
  }

  @Test
  void aHostThatCannotMakeAUriFailsInsteadOfThrowing() throws Exception {
    ProbeResult result = Probe.http("/health").probe(new Server("bad_host", 80), ANSWERED);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isNotNull();
  }

  // ---------------------------------------------------------------- the probe itself

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Probe.http(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("path");
    assertThatThrownBy(() -> Probe.http("/health", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("body");
    assertThatThrownBy(() -> Probe.http("health"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path: 'health' (expected: starts with /)");
    assertThatThrownBy(() -> Probe.http(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path: '' (expected: starts with /)");
    assertThatThrownBy(() -> Probe.http("/he alth"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("path: '/he alth' (expected: a valid URI path");
    assertThatThrownBy(() -> Probe.http("/health#top"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path: '/health#top' (expected: no #fragment)");

    Probe probe = Probe.http("/health");
    Server server = new Server("127.0.0.1", 1);
    assertThatThrownBy(() -> probe.probe(null, ANSWERED))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> probe.probe(server, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> probe.probe(server, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT0S (expected: > 0)");
  }

  @Test
  void acceptsAQueryString() throws Exception {
    ProbeResult result =
        Probe.http("/health?verbose=1").probe(serverAt(httpServer(200, "ok")), ANSWERED);

    assertThat(result.isPassed()).isTrue();
  }

  @Test
  void saysWhatItIs() {
    assertThat(Probe.http("/health")).hasToString("Probe.http(/health)");
    assertThat(Probe.http("/health", body -> true))
        .hasToString("Probe.http(/health, body predicate)");
    assertThat(Probe.httpBuilder("/load").load(body -> 0).build())
        .hasToString("Probe.http(/load, load)");
    assertThat(Probe.http("/id", workerIs("w"), body -> 0))
        .hasToString("Probe.http(/id, body predicate, load)");
  }
}
