package dev.lbkit.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import dev.lbkit.examples.http.Arguments;
import dev.lbkit.examples.http.NamedThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One backend of the demo: a real HTTP server on a loopback port. {@code GET /work} answers with
 * the backend's name after about its latency (give or take a quarter, at random); {@code GET
 * /health} answers {@code {"status":"ok","name":...,"inflight":N}}, the number of {@code /work}
 * calls it is working on, which the demo's health probe reads as the backend's load. {@link
 * #kill()} stops the HTTP server (connections are refused from then on, and calls in flight are
 * cut); {@link #restart()} serves again on the same port.
 *
 * <p>Thread-safe. Requests are served on a pool of daemon threads that lives until {@link
 * #close()}.
 */
public final class DemoBackend implements AutoCloseable {

  private static final Duration REBIND_PATIENCE = Duration.ofSeconds(5);
  private static final Ticker CLOCK = Ticker.system();

  private final String name;
  private final Duration latency;
  private final Server server;
  private final ExecutorService executor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile @Nullable HttpServer http; // null while killed

  private DemoBackend(String name, Duration latency, int weight, HttpServer http) {
    this.name = name;
    this.latency = latency;
    this.http = http;
    this.server =
        new Server(
            http.getAddress().getAddress().getHostAddress(), http.getAddress().getPort(), weight);
    this.executor = Executors.newFixedThreadPool(32, NamedThreads.daemon(name + "-"));
    serve(http);
  }

  /**
   * Starts a backend on a free loopback port.
   *
   * @param weight its weight for weighted balancing, at least 1
   * @throws IOException if no port can be bound
   * @throws IllegalArgumentException if {@code latency} is negative or {@code weight} below 1
   */
  public static DemoBackend start(String name, Duration latency, int weight) throws IOException {
    Objects.requireNonNull(name, "name");
    Arguments.notNegative(latency, "latency");
    Arguments.atLeast(weight, 1, "weight");
    return new DemoBackend(name, latency, weight, bind(0));
  }

  private static HttpServer bind(int port) throws IOException {
    return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
  }

  private void serve(HttpServer http) {
    http.setExecutor(executor);
    http.createContext("/work", this::work);
    http.createContext("/health", this::health);
    http.start();
  }

  private void work(HttpExchange exchange) throws IOException {
    inFlight.incrementAndGet();
    try {
      long nanos = latency.toNanos();
      long jitter = nanos / 4;
      long pause = nanos + (jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter) : 0);
      long deadline = CLOCK.read() + pause;
      for (long left = pause; left > 0; left = deadline - CLOCK.read()) {
        LockSupport.parkNanos(left); // the "work": simulated service time
      }
    } finally {
      // Before the answer goes out: a client that has its answer never finds its call counted.
      inFlight.decrementAndGet();
    }
    respond(exchange, "text/plain", name);
  }

  private void health(HttpExchange exchange) throws IOException {
    respond(
        exchange,
        "application/json",
        "{\"status\":\"ok\",\"name\":\"" + name + "\",\"inflight\":" + inFlight.get() + "}");
  }

  private static void respond(HttpExchange exchange, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Reads the {@code inflight} figure of a {@code /health} body: the probe's load function. */
  public static long inFlightOf(String healthBody) {
    int at = healthBody.indexOf("\"inflight\":");
    if (at < 0) {
      throw new IllegalArgumentException("no inflight in " + healthBody);
    }
    int start = at + "\"inflight\":".length();
    int end = start;
    while (end < healthBody.length() && Character.isDigit(healthBody.charAt(end))) {
      end++;
    }
    return Long.parseLong(healthBody.substring(start, end));
  }

  /** Returns the backend's name, such as {@code backend-2}. */
  public String name() {
    return name;
  }

  /** Returns the lbkit server that stands for this backend (same port across restarts). */
  public Server server() {
    return server;
  }

  /** Returns whether the HTTP server is running (not killed). */
  public boolean isUp() {
    return http != null;
  }

  /** Stops the HTTP server at once: new connections are refused, calls in flight are cut. */
  public synchronized void kill() {
    HttpServer current = http;
    if (current != null) {
      http = null;
      current.stop(0);
    }
  }

  /**
   * Serves again on the same port, retrying for up to 5 s if the port is briefly unavailable.
   *
   * @throws IOException if the port could not be bound again
   */
  public synchronized void restart() throws IOException {
    if (http != null) {
      return;
    }
    long deadline = CLOCK.read() + REBIND_PATIENCE.toNanos();
    while (true) {
      try {
        HttpServer fresh = bind(server.port());
        serve(fresh);
        http = fresh;
        return;
      } catch (BindException e) {
        if (CLOCK.read() - deadline >= 0) {
          throw e;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  /** Stops the HTTP server and its threads. */
  @Override
  public void close() {
    kill();
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + ": request threads still running after 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " " + server.id() + (isUp() ? "" : " (killed)");
  }
}
