package dev.lbkit.examples.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A JDK {@link HttpServer} on 127.0.0.1 and a free port, whose handlers run on daemon threads named
 * after it; {@link #close()} stops it and every one of those threads.
 *
 * <p>One handler takes every request. What it throws becomes the answer: an {@link HttpError} its
 * status and message, anything else a 500 with a fixed message (the exception is logged, never
 * sent, so nothing internal leaks to callers). A handler that returns without answering leaves the
 * connection to be closed, which the caller sees as a dropped connection.
 *
 * <pre>{@code
 * try (LoopbackServer server = LoopbackServer.start("runner", exchange ->
 *     Exchanges.respond(exchange, 200, Map.of("status", "healthy")))) {
 *   URI base = server.uri(); // http://127.0.0.1:port
 * }
 * }</pre>
 */
public final class LoopbackServer implements AutoCloseable {

  /** Handles one request; see the class javadoc for what its exceptions become. */
  @FunctionalInterface
  public interface Handler {
    /** Handles {@code exchange}, normally by answering it with {@link Exchanges#respond}. */
    void handle(HttpExchange exchange) throws IOException;
  }

  private static final System.Logger LOG = System.getLogger(LoopbackServer.class.getName());

  /** How long {@link #close()} waits for handlers to stop after interrupting them. */
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;
  private final URI uri;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LoopbackServer(String name, HttpServer server, ExecutorService executor) {
    this.name = name;
    this.server = server;
    this.executor = executor;
    this.uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Starts a server on 127.0.0.1 and a free port, running {@code handler} on daemon threads named
   * {@code name-http-N}.
   *
   * @throws IOException if the server cannot bind
   * @throws NullPointerException if an argument is null
   */
  public static LoopbackServer start(String name, Handler handler) throws IOException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(handler, "handler");
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor = Executors.newCachedThreadPool(NamedThreads.daemon(name + "-http-"));
    server.setExecutor(executor);
    server.createContext("/", exchange -> dispatch(name, handler, exchange));
    server.start();
    return new LoopbackServer(name, server, executor);
  }

  private static void dispatch(String name, Handler handler, HttpExchange exchange) {
    try (exchange) {
      try {
        handler.handle(exchange);
      } catch (HttpError e) {
        Exchanges.respondError(exchange, e.status(), String.valueOf(e.getMessage()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, name + ": " + exchange.getRequestMethod() + " failed", e);
        Exchanges.respondError(exchange, 500, "internal error");
      }
    } catch (IOException e) {
      // The caller went away or the server is closing: there is nobody to answer.
      LOG.log(Level.DEBUG, () -> name + ": could not answer: " + e);
    }
  }

  /** Returns {@code http://127.0.0.1:port}. */
  public URI uri() {
    return uri;
  }

  /** Returns the port the server listens on. */
  public int port() {
    return uri.getPort();
  }

  /**
   * Stops the server as a process that dies would: interrupts the running handlers and waits (up to
   * 5 s) for them to end, then closes every connection and the listening socket. Idempotent.
   * Interrupting first means a handler cut off mid-work has stopped by the time its caller sees the
   * connection drop.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, name + ": handlers still running after an interrupt");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop(0);
  }

  @Override
  public String toString() {
    return "LoopbackServer{" + name + " at " + uri + "}";
  }
}
