package dev.lbkit.health;

import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The TCP probe behind {@link Probe#tcp()}, and what it shares with {@link HttpProbe}: the time
 * budget of one probe.
 *
 * <p>Both probes are thread-safe: any number of threads may probe any servers with one instance at
 * once. Neither throws for anything a server or the network does: a refused connection, a timeout,
 * a bad status, a rejected body, or an interrupt all come back as a failed {@link ProbeResult} (an
 * interrupt also leaves the thread's interrupt flag set). Only bad arguments throw.
 */
final class Probes {

  /*
   * How a probe stays within its timeout, whatever the server does.
   *
   * Every probe takes one deadline, `timeout` from its start on the system Ticker, and spends it
   * across all of its steps: nothing waits without a bound taken from what is left.
   *
   * Name resolution. InetAddress.getByName blocks for as long as the operating system's resolver
   * takes, with no timeout we can pass, and a dead DNS server can hold it for tens of seconds. So a
   * host that is an IP literal is parsed inline (no lookup happens), and any other name is resolved
   * on a RESOLVER thread while the probe waits at most the time left. A lookup that overruns fails
   * the probe and is left to finish on its own thread (the resolver's own timeouts end it; the pool
   * has no fixed size, so one hung lookup never queues the others, and idle threads exit after a
   * few seconds). The JDK caches answers, so a healthy name costs one lookup per cache period.
   *
   * TCP. A non-blocking SocketChannel connects and a Selector waits for OP_CONNECT for at most the
   * time left, again and again until finishConnect() says the connection is up or refused, or the
   * deadline passes. The channel and the selector are closed whatever happens. An interrupt wakes
   * the selector; the probe sees the flag and fails at once.
   */

  /** The TCP connect probe: {@link Probe#tcp()}. */
  static final Probe TCP = new TcpProbe();

  /** The clock of every probe's own budget: real time, as the I/O it bounds. */
  static final Ticker CLOCK = Ticker.system();

  private static final Pattern IPV4_LITERAL =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

  /** Resolves host names for TCP probes, so that a hung lookup never holds a probe. */
  private static final ExecutorService RESOLVER = newResolver();

  private Probes() {}

  // ---------------------------------------------------------------- shared helpers

  /** Validates {@code timeout} and returns it in nanoseconds, saturated at Long.MAX_VALUE. */
  static long budgetNanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // hundreds of years: as good as forever
    }
  }

  /**
   * Returns the nanoseconds left of {@code budget} since {@code start}; may be zero or negative.
   */
  static long left(long start, long budget) {
    return budget - (CLOCK.read() - start); // by subtraction: right across numeric overflow
  }

  static ProbeResult interrupted(InterruptedException e) {
    Thread.currentThread().interrupt(); // whoever interrupted us should still see it
    return ProbeResult.failed(e);
  }

  private static ExecutorService newResolver() {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        5,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        task -> {
          Thread thread = new Thread(task, "lbkit-probe-resolver-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Resolves {@code host} within what is left of the budget: inline if it is an IP literal (no
   * lookup happens), else on a resolver thread.
   */
  private static InetAddress resolve(String host, long start, long budget)
      throws IOException, InterruptedException {
    if (isIpLiteral(host)) {
      return InetAddress.getByName(host);
    }
    Future<InetAddress> lookup = RESOLVER.submit(() -> InetAddress.getByName(host));
    try {
      return lookup.get(Math.max(0, left(start, budget)), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      lookup.cancel(true);
      throw new SocketTimeoutException("resolving " + host + " took over the timeout");
    } catch (InterruptedException e) {
      lookup.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause; // UnknownHostException, mostly
      }
      throw new IOException("resolving " + host + " failed", cause);
    }
  }

  /**
   * Returns whether {@link InetAddress#getByName} parses {@code host} without a lookup: a dotted
   * IPv4 address, or an IPv6 one, bracketed or not (a host with a colon that is not valid IPv6 is
   * rejected by the JDK without a lookup too).
   */
  private static boolean isIpLiteral(String host) {
    if (host.startsWith("[")) {
      return true;
    }
    if (host.indexOf(':') >= 0) {
      char first = host.charAt(0);
      return first == ':' || Character.digit(first, 16) >= 0;
    }
    return IPV4_LITERAL.matcher(host).matches();
  }

  // ---------------------------------------------------------------- TCP

  /** Connects to the server's host and port, then closes the connection at once. */
  private static final class TcpProbe implements Probe {

    @Override
    public ProbeResult probe(Server server, Duration timeout) {
      Objects.requireNonNull(server, "server");
      long budget = budgetNanos(timeout);
      long start = CLOCK.read();
      try {
        InetSocketAddress address =
            new InetSocketAddress(resolve(server.host(), start, budget), server.port());
        connect(address, start, budget, timeout);
        return ProbeResult.passed();
      } catch (InterruptedException e) {
        return interrupted(e);
      } catch (IOException | RuntimeException e) {
        return ProbeResult.failed(e);
      }
    }

    private static void connect(
        InetSocketAddress address, long start, long budget, Duration timeout) throws IOException {
      // Resources close in reverse: the selector first (deregistering the channel), then the
      // channel.
      try (SocketChannel channel = SocketChannel.open();
          Selector selector = Selector.open()) {
        channel.configureBlocking(false);
        if (channel.connect(address)) {
          return; // connected at once, as loopback sometimes does
        }
        channel.register(selector, SelectionKey.OP_CONNECT);
        while (!channel.finishConnect()) { // throws ConnectException when refused
          if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while connecting to " + address);
          }
          long left = left(start, budget);
          if (left <= 0) {
            throw new SocketTimeoutException(
                "connect to " + address + " took over the timeout of " + timeout);
          }
          // Round up, so that a last fraction of a millisecond is waited, not spun on.
          selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
          selector.selectedKeys().clear();
        }
      }
    }

    @Override
    public String toString() {
      return "Probe.tcp()";
    }
  }
}
