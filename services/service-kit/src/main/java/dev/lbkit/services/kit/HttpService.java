package dev.lbkit.services.kit;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.jspecify.annotations.Nullable;

/**
 * A service's HTTP server: Jetty 12 (core handler API) serving a {@link Routes} table.
 *
 * <pre>{@code
 * HttpService http = HttpService.builder("sandbox-broker", routes)
 *     .port(8080).log(log).onClose("store", store).build();
 * http.start();   // logs {"action":"listening","port":...}
 * ...
 * http.close();   // graceful: stop accepting, finish in-flight requests, close steps, no thread left
 * }</pre>
 *
 * <h2>What every service gets</h2>
 *
 * <ul>
 *   <li>A {@code QueuedThreadPool} of up to {@link Builder#maxThreads} threads (512 by default) and
 *       an accept queue of 4,096: connections are held by Jetty's selectors, not by threads, so
 *       thousands of concurrent clients wait their turn in the queue instead of being refused.
 *       There is no idle-connection cap to raise.
 *   <li>Request bodies within {@link Builder#maxBodyBytes} (1 MiB by default); beyond it a 413 that
 *       the client receives (see {@link Exchange#body()}).
 *   <li>404 and 405 (with {@code Allow}), 415 and 400 for bodies that are not JSON, every error as
 *       {@code {"error": ..., "message": ...}}, also those Jetty raises itself (a bad URI, headers
 *       too large).
 *   <li>{@code X-Content-Type-Options}, {@code X-Frame-Options}, {@code Referrer-Policy}, {@code
 *       Content-Security-Policy}, {@code Cache-Control: no-store}; CORS only for configured
 *       origins; an {@code X-Request-ID} on every response.
 *   <li>One access-log line per request and a {@link RequestObserver} for metrics.
 *   <li>{@link #close()}: Jetty's graceful stop (connectors stop accepting, requests in flight
 *       finish within {@link Builder#stopTimeout}), then the close steps, in the order added.
 * </ul>
 *
 * <p>Thread-safe: {@link #start()} and {@link #close()} may be called from any thread.
 */
public final class HttpService implements Service {
  private final String name;
  private final Server server;
  private final ServerConnector connector;
  private final JsonLog log;
  private final List<Map.Entry<String, AutoCloseable>> closeSteps;
  private final Object lifecycle = new Object();
  private final LongSupplier ticker;
  private boolean started; // guarded by lifecycle
  private boolean closed; // guarded by lifecycle

  private HttpService(Builder b) {
    this.name = b.name;
    this.log = b.log != null ? b.log : JsonLog.stdout(b.name);
    this.closeSteps = List.copyOf(b.closeSteps);
    this.ticker = b.ticker;
    QueuedThreadPool threads =
        new QueuedThreadPool(b.maxThreads, Math.min(8, b.maxThreads), 60_000);
    threads.setName(b.name + "-http");
    threads.setStopTimeout(b.stopTimeout.toMillis());
    ScheduledExecutorScheduler scheduler =
        new ScheduledExecutorScheduler(b.name + "-http-scheduler", false);
    this.server = new Server(threads, scheduler, null);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    config.setRequestHeaderSize(16 * 1024);
    this.connector = new ServerConnector(server, 1, -1, new HttpConnectionFactory(config));
    connector.setPort(b.port);
    if (b.host != null) {
      connector.setHost(b.host);
    }
    connector.setAcceptQueueSize(4096);
    connector.setIdleTimeout(b.idleTimeout.toMillis());
    connector.setReuseAddress(true);
    server.addConnector(connector);
    KitHandler handler =
        new KitHandler(b.routes, b.maxBodyBytes, log, b.observer, b.corsOrigins, b.ticker);
    server.setHandler(new GracefulHandler(handler));
    server.setErrorHandler(new JsonErrorHandler());
    server.setStopTimeout(b.stopTimeout.toMillis());
    server.setStopAtShutdown(false); // ServiceMain's hook stops it, then runs the close steps
  }

  /** Returns a builder of a server named {@code name} (its threads' and log lines' name). */
  public static Builder builder(String name, Routes routes) {
    return new Builder(name, routes);
  }

  /**
   * Starts listening and logs a {@code listening} line with the port.
   *
   * @throws IllegalStateException if already started or closed
   * @throws Exception if Jetty cannot start (the port is taken, say); the server is then stopped
   */
  public HttpService start() throws Exception {
    synchronized (lifecycle) {
      if (started || closed) {
        throw new IllegalStateException(name + ": already " + (closed ? "closed" : "started"));
      }
      started = true;
    }
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    log.info("listening").field("port", port()).write();
    return this;
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  /** Returns the server's name. */
  public String name() {
    return name;
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long start = ticker.getAsLong();
    try {
      server.stop();
      server.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("stop").field("step", "http").exception(e).write();
    }
    for (Map.Entry<String, AutoCloseable> step : closeSteps) {
      try {
        step.getValue().close();
      } catch (Exception e) {
        log.warn("stop").field("step", step.getKey()).exception(e).write();
      }
    }
    log.info("stopped").outcome("ok").latencyNanos(ticker.getAsLong() - start).write();
  }

  /** Answers the errors Jetty raises itself (bad URI, headers too large...) in JSON. */
  private static final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int status = response.getStatus();
      if (status < 400) {
        status = 500;
      }
      Object message = request.getAttribute(ERROR_MESSAGE);
      byte[] body =
          Json.writeBytes(
              Map.of(
                  "error",
                  "http_" + status,
                  "message",
                  message == null ? "HTTP " + status : message.toString()));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
  }

  /** Configures an {@link HttpService}; every setter checks its argument at once. */
  public static final class Builder {
    private final String name;
    private final Routes routes;
    private int port = 8080;
    private @Nullable String host;
    private int maxThreads = 512;
    private long maxBodyBytes = 1024 * 1024;
    private Duration stopTimeout = Duration.ofSeconds(20);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private @Nullable JsonLog log;
    private RequestObserver observer = (method, route, status, nanos) -> {};
    private LongSupplier ticker = System::nanoTime;
    private List<String> corsOrigins = List.of();
    private final List<Map.Entry<String, AutoCloseable>> closeSteps = new ArrayList<>();

    private Builder(String name, Routes routes) {
      this.name = Objects.requireNonNull(name, "name");
      this.routes = Objects.requireNonNull(routes, "routes");
    }

    /** The port to listen on; 0 for any free one. 8080 by default. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      this.port = port;
      return this;
    }

    /** The address to bind; all interfaces by default. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The most request threads; 512 by default. */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 8) {
        throw new IllegalArgumentException("maxThreads: " + maxThreads + " (expected: >= 8)");
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /** The largest request body accepted; 1 MiB by default. */
    public Builder maxBodyBytes(long maxBodyBytes) {
      if (maxBodyBytes < 0) {
        throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0)");
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** How long {@link #close()} lets requests in flight finish; 20 s by default. */
    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = positive(stopTimeout, "stopTimeout");
      return this;
    }

    /** How long an idle connection is kept; 30 s by default. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive(idleTimeout, "idleTimeout");
      return this;
    }

    /** The log for access and lifecycle lines; standard output by default. */
    public Builder log(JsonLog log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /**
     * The source of the latencies in access lines and in {@link RequestObserver} (nanoseconds, only
     * differences count); {@code System::nanoTime} by default. Tests on fake time pass its ticker.
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Told of every answered request. */
    public Builder observer(RequestObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** The origins allowed by CORS ({@code *} for any); none by default: CORS off. */
    public Builder corsOrigins(List<String> origins) {
      this.corsOrigins = List.copyOf(origins);
      return this;
    }

    /**
     * Adds a step {@link HttpService#close()} runs once the server has stopped, after the steps
     * added before it. A step that throws is logged; the next still runs.
     */
    public Builder onClose(String stepName, AutoCloseable step) {
      closeSteps.add(
          Map.entry(
              Objects.requireNonNull(stepName, "stepName"), Objects.requireNonNull(step, "step")));
      return this;
    }

    /** Returns the (not yet started) server. */
    public HttpService build() {
      return new HttpService(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }
  }
}
