package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.lbkit.core.Server;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpProbeTest {

  /** The timeout of a probe that must give up: short, so that the test is quick. */
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  /**
   * The timeout of a probe whose server answers: generous, since only the outcome is checked and a
   * busy machine can take longer than {@link #TIMEOUT}.
   */
  private static final Duration ANSWERED = Duration.ofSeconds(10);

  /** A timeout was respected if the probe returned within it plus this (a generous bound). */
  private static final Duration MARGIN =
      Duration.ofSeconds(5); // generous: proves a bound, times nothing

  private final Probe probe = Probe.tcp();

  /** Closed last-in first-out after each test; the acceptor thread adds to it too. */
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

  private ServerSocket listening(int backlog) throws IOException {
    return closeLater(new ServerSocket(0, backlog, InetAddress.getLoopbackAddress()));
  }

  private static Server serverAt(ServerSocket socket) {
    return new Server("127.0.0.1", socket.getLocalPort());
  }

  /** Probes and checks that the probe returned within the timeout plus the margin. */
  private ProbeResult probeWithin(Server server, Duration timeout) throws Exception {
    long start = System.nanoTime();
    ProbeResult result = probe.probe(server, timeout);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.plus(MARGIN));
    return result;
  }

  @Test
  void passesAgainstAListeningSocketThatNeverAccepts() throws Exception {
    ServerSocket socket = listening(50); // the kernel completes the handshake without accept()

    ProbeResult result = probe.probe(serverAt(socket), ANSWERED);

    assertThat(result.isPassed()).isTrue();
    assertThat(result.load()).isEmpty();
  }

  @Test
  void passesAgainstAServerThatAcceptsAndNeverAnswers() throws Exception {
    ServerSocket socket = listening(50);
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  closeLater(socket.accept()); // hold it, say nothing
                }
              } catch (IOException closed) {
                // the test is over
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();

    assertThat(probe.probe(serverAt(socket), ANSWERED).isPassed()).isTrue();
    assertThat(probe.probe(serverAt(socket), ANSWERED).isPassed()).isTrue(); // connect-only
  }

  @Test
  void failsWithTheCauseWhenTheConnectionIsRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // free now, and nothing listens once it is closed
    }

    ProbeResult result = probeWithin(new Server("127.0.0.1", port), TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(ConnectException.class);
    assertThat(result.reason()).contains("Connection refused");
  }

  /**
   * Fills the accept queue of a socket that never accepts, so that the kernel drops further SYNs
   * (Linux does): a connect then hangs until its timeout, as against a black-holed address.
   */
  private ServerSocket silentlyDroppingSyns() throws IOException {
    ServerSocket socket = listening(1);
    for (int i = 0; i < 16; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(socket.getLocalSocketAddress(), 200);
        closeLater(filler);
      } catch (SocketTimeoutException full) {
        filler.close();
        return socket;
      }
    }
    assumeThat(false).as("this kernel never drops SYNs to a full accept queue").isTrue();
    return socket;
  }

  @Test
  void failsWithinTheTimeoutWhenTheConnectHangs() throws Exception {
    Server server = serverAt(silentlyDroppingSyns());

    ProbeResult result = probeWithin(server, TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(SocketTimeoutException.class);
    assertThat(result.reason()).contains("127.0.0.1").contains("PT0.3S");
  }

  @Test
  void anInterruptEndsAHangingConnectAtOnceAndStaysSet() throws Exception {
    Server server = serverAt(silentlyDroppingSyns());

    Thread.currentThread().interrupt();
    ProbeResult result;
    try {
      result = probeWithin(server, Duration.ofSeconds(30)); // the interrupt, not this, ends it
    } finally {
      assertThat(Thread.interrupted()).as("interrupt flag kept (and cleared here)").isTrue();
    }

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause()).isInstanceOf(java.io.InterruptedIOException.class);
  }

  @Test
  void resolvesAHostNameOffThreadAndConnects() throws Exception {
    ServerSocket socket = listening(50);

    ProbeResult result = probe.probe(new Server("localhost", socket.getLocalPort()), ANSWERED);

    assertThat(result.isPassed()).as("%s", result).isTrue();
  }

  @Test
  void anUnresolvableHostFailsWithinTheTimeout() throws Exception {
    // .invalid never resolves (RFC 2606); whether the resolver says so fast or hangs, the probe
    // returns within its timeout.
    ProbeResult result = probeWithin(new Server("no-such-host.invalid", 80), TIMEOUT);

    assertThat(result.isPassed()).isFalse();
    assertThat(result.cause())
        .isInstanceOfAny(UnknownHostException.class, SocketTimeoutException.class);
  }

  @Test
  void connectsToAnIpv6Literal() throws Exception {
    ServerSocket socket;
    try {
      socket = closeLater(new ServerSocket());
      socket.bind(
          new InetSocketAddress(
              InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
              0));
    } catch (IOException e) {
      assumeThat(false).as("no IPv6 loopback here: %s", e).isTrue();
      return;
    }

    assertThat(probe.probe(new Server("::1", socket.getLocalPort()), ANSWERED).isPassed()).isTrue();
    assertThat(probe.probe(new Server("[::1]", socket.getLocalPort()), ANSWERED).isPassed())
        .isTrue();
  }

  @Test
  void oneInstanceProbesFromManyThreadsAtOnce() throws Exception {
    ServerSocket up = listening(100);
    ServerSocket down = listening(1);
    int downPort = down.getLocalPort();
    down.close();
    ExecutorService threads = Executors.newFixedThreadPool(20);
    closeLater(threads::shutdownNow);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ProbeResult>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Server server = i % 2 == 0 ? serverAt(up) : new Server("127.0.0.1", downPort);
      results.add(
          threads.submit(
              () -> {
                go.await();
                return probe.probe(server, ANSWERED);
              }));
    }
    go.countDown();

    for (int i = 0; i < 20; i++) {
      ProbeResult result =
          results.get(i).get(ANSWERED.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
      assertThat(result.isPassed()).as("probe %d: %s", i, result).isEqualTo(i % 2 == 0);
    }
  }

  @Test
  void rejectsBadArguments() {
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
    assertThatThrownBy(() -> probe.probe(server, Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT-0.005S (expected: > 0)");
  }

  @Test
  void aHugeTimeoutIsFine() throws Exception {
    ServerSocket socket = listening(50);

    assertThat(probe.probe(serverAt(socket), Duration.ofSeconds(Long.MAX_VALUE)).isPassed())
        .isTrue();
  }

  @Test
  void saysWhatItIs() {
    assertThat(Probe.tcp()).hasToString("Probe.tcp()").isSameAs(Probes.TCP);
  }
}
