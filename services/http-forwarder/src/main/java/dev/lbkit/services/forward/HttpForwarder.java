package dev.lbkit.services.forward;

import dev.lbkit.core.Lease;
import dev.lbkit.core.NoServerAvailableException;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services' one HTTP forwarder (seed 003, level 4): sends a request to the backend lbkit chose
 * and passes the answer back, over pooled keep-alive connections.
 *
 * <pre>{@code
 * HttpForwarder forwarder = HttpForwarder.builder()
 *     .maxConnectionsPerBackend(32)
 *     .responseTimeout(Duration.ofSeconds(10))
 *     .build();
 *
 * // in a Jetty 12 Handler: stream the client's request to the chosen backend and back
 * public boolean handle(Request request, Response response, Callback callback) {
 *   Optional<Lease> lease = lb.tryAcquire(lbRequest);
 *   if (lease.isEmpty()) {
 *     HttpForwarder.respondError(response, callback, new NoServerAvailableException("none"));
 *     return true;
 *   }
 *   forwarder.forward(request, response, callback, lease.get()); // records the outcome, closes it
 *   return true;
 * }
 *
 * // or a small call of the service's own, its answer buffered
 * Reply reply = forwarder.send(runner, Call.postJson("/v1/jobs/submit", json)).get();
 * }</pre>
 *
 * <h2>What it does</h2>
 *
 * <ul>
 *   <li><b>Pooling</b>: Jetty's {@link HttpClient}, at most {@code maxConnectionsPerBackend}
 *       keep-alive connections per backend; requests beyond them queue (up to {@code
 *       maxQueuedPerBackend}, then 503). Idle connections close after {@code idleTimeout}.
 *   <li><b>Timeouts</b>: a response timeout per request (until the backend's status line and
 *       headers: 504 if it passes), a connect timeout, and an idle timeout that also ends a body
 *       that stalls mid-way.
 *   <li><b>Streaming</b>: {@link #forward} never holds a whole body: the client's body is read as
 *       the backend takes it, and the backend's body is written to the client one chunk at a time,
 *       each written before the next is read ({@link #maxBytesInFlight()} shows the high-water
 *       mark). {@link #send} buffers, up to {@code maxReplyBytes}: it is for small JSON calls.
 *   <li><b>Hop-by-hop headers</b> (RFC 9110, 7.6.1): {@code Connection} and every header it names,
 *       {@code Keep-Alive}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}
 *       and {@code Proxy-*} are dropped in both directions; {@code X-Forwarded-For} gets the
 *       client's address appended and {@code Via: 1.1 lbkit} is added. No content decoding, no
 *       redirects followed, no {@code User-Agent} of its own.
 *   <li><b>Access log</b>: exactly one {@link AccessRecord} per forwarded or sent request (method,
 *       path without query, backend, status, duration, bytes), never a header, query or body.
 *   <li><b>Errors</b>: see {@link Failures}: lbkit's refusals are 503, timeouts 504, other failures
 *       502, each with a JSON body {@code {"error": "..."}} naming the backend.
 *   <li><b>Leases</b>: the overloads that take a {@link Lease} record the outcome on it ({@link
 *       Lease#fail} when {@link Forwarded#backendFailed()}) and close it, so lbkit's stats, its
 *       active-connection counts and an attached {@code OutlierDetector} see every call.
 * </ul>
 *
 * <p>Thread-safe. Its threads (a small pool named after the forwarder) stop on {@link #close()}.
 */
public final class HttpForwarder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpForwarder.class);

  private final HttpClient client;
  private final Duration responseTimeout;
  private final Duration idleTimeout;
  private final int maxReplyBytes;
  private final AccessLog accessLog;
  private final Ticker ticker;
  private final Function<Server, String> scheme;
  private final Set<String> withheldRequestHeaders; // lower case
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong maxInFlight = new AtomicLong();

  private HttpForwarder(Builder builder) {
    this.responseTimeout = builder.responseTimeout;
    this.idleTimeout = builder.idleTimeout;
    this.maxReplyBytes = builder.maxReplyBytes;
    this.accessLog = builder.accessLog;
    this.ticker = builder.ticker;
    this.scheme = builder.scheme;
    this.withheldRequestHeaders = Set.copyOf(builder.withheldRequestHeaders);
    QueuedThreadPool threads = new QueuedThreadPool(builder.maxThreads, 2);
    threads.setName(builder.name);
    threads.setDaemon(true);
    ClientConnector connector = new ClientConnector();
    connector.setConnectTimeout(builder.connectTimeout);
    connector.setIdleTimeout(builder.idleTimeout);
    connector.setSelectors(1);
    connector.setExecutor(threads);
    connector.setSslContextFactory(new SslContextFactory.Client());
    HttpClient http =
        new HttpClient(
            new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(connector));
    http.setExecutor(threads);
    http.setMaxConnectionsPerDestination(builder.maxConnectionsPerBackend);
    http.setMaxRequestsQueuedPerDestination(builder.maxQueuedPerBackend);
    http.setConnectTimeout(builder.connectTimeout.toMillis());
    http.setIdleTimeout(builder.idleTimeout.toMillis());
    http.setFollowRedirects(false);
    http.setUserAgentField(null);
    http.getContentDecoderFactories().clear();
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the HTTP client: " + e.getMessage(), e);
    }
    this.client = http;
  }

  /** Returns a builder with the defaults listed on each of its setters. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- streaming

  /**
   * Forwards the client's request to {@code lease.server()} under the same path and query, streams
   * the answer back, then records the outcome on the lease and closes it. Completes {@code
   * callback} when done; never throws for a backend's failure (the client gets 502/504).
   */
  public CompletableFuture<Forwarded> forward(
      Request request, Response response, Callback callback, Lease lease) {
    return forward(request, response, callback, lease, request.getHttpURI().getPathQuery());
  }

  /**
   * Like {@link #forward(Request, Response, Callback, Lease)}, sending {@code target} (a path with
   * an optional query) to the backend instead of the client's own.
   */
  public CompletableFuture<Forwarded> forward(
      Request request, Response response, Callback callback, Lease lease, String target) {
    Objects.requireNonNull(lease, "lease");
    return record(forward(request, response, callback, lease.server(), target), lease);
  }

  /**
   * Forwards the client's request to {@code backend} under {@code target} and streams the answer
   * back, within this forwarder's response timeout. The caller records the returned outcome, which
   * never completes exceptionally.
   */
  public CompletableFuture<Forwarded> forward(
      Request request, Response response, Callback callback, Server backend, String target) {
    return forward(request, response, callback, backend, target, responseTimeout);
  }

  /**
   * Like {@link #forward(Request, Response, Callback, Server, String)}, with a response timeout of
   * its own.
   *
   * @throws IllegalArgumentException if {@code target} does not start with {@code /}, or {@code
   *     responseTimeout} is not positive
   */
  public CompletableFuture<Forwarded> forward(
      Request request,
      Response response,
      Callback callback,
      Server backend,
      String target,
      Duration responseTimeout) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(callback, "callback");
    Objects.requireNonNull(backend, "backend");
    checkTarget(target);
    positive(responseTimeout, "responseTimeout");
    return new StreamedExchange(this, request, response, callback, backend, target, responseTimeout)
        .start();
  }

  // ---------------------------------------------------------------- buffered calls

  /**
   * Sends {@code call} to {@code backend} and buffers the answer (at most {@code maxReplyBytes}; a
   * longer one fails the call). The future fails with the cause when there is no answer: {@link
   * Failures#statusFor} maps it to 502/504. Any status is an answer, 5xx included.
   */
  public CompletableFuture<Reply> send(Server backend, Call call) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(call, "call");
    long started = ticker.read();
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    Duration timeout = call.timeout() != null ? call.timeout() : responseTimeout;
    org.eclipse.jetty.client.Request request;
    try {
      request = newRequest(backend, call.method(), call.target());
    } catch (RuntimeException e) {
      reply.completeExceptionally(e);
      return reply;
    }
    request.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    request.headers(
        headers -> {
          for (Map.Entry<String, String> header : call.headers()) {
            headers.add(header.getKey(), header.getValue());
          }
        });
    byte[] body = call.body();
    String contentType = call.contentType();
    if (body != null && contentType != null) {
      request.body(new BytesRequestContent(contentType, body));
    }
    request.send(
        new BufferingResponseListener(maxReplyBytes) {
          @Override
          public void onComplete(Result result) {
            Duration duration = Duration.ofNanos(ticker.read() - started);
            org.eclipse.jetty.client.Response response = result.getResponse();
            if (result.isFailed()) {
              Throwable failure = result.getFailure();
              log(
                  new AccessRecord(
                      call.method(),
                      pathOf(call.target()),
                      backend.id(),
                      Failures.statusFor(failure),
                      duration,
                      0,
                      Failures.reasonFor(failure)));
              reply.completeExceptionally(failure);
            } else {
              byte[] content = getContent();
              log(
                  new AccessRecord(
                      call.method(),
                      pathOf(call.target()),
                      backend.id(),
                      response.getStatus(),
                      duration,
                      content.length,
                      null));
              reply.complete(new Reply(response.getStatus(), response.getHeaders(), content));
            }
          }
        });
    return reply;
  }

  /**
   * Sends {@code call} to {@code lease.server()} like {@link #send(Server, Call)}, then records the
   * outcome on the lease (a failure, or a 5xx answer, fails it) and closes it.
   */
  public CompletableFuture<Reply> send(Lease lease, Call call) {
    Objects.requireNonNull(lease, "lease");
    return send(lease.server(), call)
        .whenComplete(
            (reply, failure) -> {
              if (failure != null) {
                lease.fail(failure);
              } else if (reply.status() >= 500) {
                lease.fail(new IOException(lease.server() + " answered HTTP " + reply.status()));
              }
              lease.close();
            });
  }

  // ---------------------------------------------------------------- errors

  /**
   * Answers {@code failure} as {@link Failures} maps it (502, 503 or 504), with a JSON body {@code
   * {"error": reason}} and, for a rate-limited refusal, a {@code Retry-After} header; for use when
   * there is nothing to forward to (lbkit refused the request).
   */
  public static void respondError(Response response, Callback callback, Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    response.setStatus(Failures.statusFor(failure));
    response.getHeaders().put("Content-Type", "application/json");
    retryAfterFor(failure, response.getHeaders());
    Content.Sink.write(response, true, Json.error(Failures.reasonFor(failure)), callback);
  }

  // ---------------------------------------------------------------- figures

  /** Returns the body bytes the forwarder holds now: handed to clients, not yet written. */
  public long bytesInFlight() {
    return inFlight.get();
  }

  /**
   * Returns the most body bytes the forwarder has held at once since it started: with streaming,
   * about one network buffer per concurrent exchange, whatever the bodies' sizes.
   */
  public long maxBytesInFlight() {
    return maxInFlight.get();
  }

  /** Stops the client: open connections close, its threads end. Idempotent. */
  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      LOG.warn("stopping the forwarder's HTTP client failed", e);
    }
  }

  @Override
  public String toString() {
    return "HttpForwarder{maxConnectionsPerBackend="
        + client.getMaxConnectionsPerDestination()
        + ", responseTimeout="
        + responseTimeout
        + "}";
  }

  // ---------------------------------------------------------------- package-private plumbing

  org.eclipse.jetty.client.Request newRequest(Server backend, String method, String target) {
    checkTarget(target);
    return client
        .newRequest(backend.host(), backend.port())
        .scheme(scheme.apply(backend))
        .method(method)
        .path(target)
        .idleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  Scheduler scheduler() {
    return client.getScheduler();
  }

  /** The request headers, lower case, a streamed exchange never forwards. */
  Set<String> withheldRequestHeaders() {
    return withheldRequestHeaders;
  }

  Ticker ticker() {
    return ticker;
  }

  CountingSink countingSink(Content.Sink sink) {
    return new CountingSink(sink, inFlight, maxInFlight);
  }

  void retryAfter(Throwable failure, HttpFields.Mutable headers) {
    retryAfterFor(failure, headers);
  }

  /** Adds {@code Retry-After} (whole seconds, at least 1) for a rate-limited lbkit refusal. */
  private static void retryAfterFor(Throwable failure, HttpFields.Mutable headers) {
    if (Failures.unwrap(failure) instanceof NoServerAvailableException refusal) {
      refusal
          .retryAfter()
          .ifPresent(
              wait ->
                  headers.put(
                      "Retry-After", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000))));
    }
  }

  void log(AccessRecord record) {
    try {
      accessLog.log(record);
    } catch (RuntimeException e) {
      LOG.warn("the access log threw; the request is not affected", e);
    }
  }

  <T> CompletableFuture<T> record(CompletableFuture<T> outcome, Lease lease) {
    return outcome.whenComplete(
        (result, failure) -> {
          if (failure != null) {
            lease.fail(failure);
          } else if (result instanceof Forwarded forwarded && forwarded.backendFailed()) {
            Throwable cause = forwarded.failure();
            lease.fail(
                cause != null
                    ? cause
                    : new IOException(lease.server() + " answered HTTP " + forwarded.status()));
          }
          lease.close();
        });
  }

  static String pathOf(String target) {
    int query = target.indexOf('?');
    return query < 0 ? target : target.substring(0, query);
  }

  private static void checkTarget(String target) {
    Objects.requireNonNull(target, "target");
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("target: " + target + " (expected: starts with /)");
    }
  }

  private static Duration positive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
    }
    return duration;
  }

  // ---------------------------------------------------------------- builder

  /** Builds an {@link HttpForwarder}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private String name = "http-forwarder";
    private int maxConnectionsPerBackend = 64;
    private int maxQueuedPerBackend = 1024;
    private int maxThreads = 32;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private int maxReplyBytes = 4 << 20;
    private AccessLog accessLog = AccessLog.slf4j();
    private Ticker ticker = Ticker.system();
    private Function<Server, String> scheme = server -> "http";
    private final Set<String> withheldRequestHeaders = new HashSet<>();

    private Builder() {}

    /**
     * Sets the scheme each backend is reached with, {@code http} or {@code https}; {@code http} for
     * every backend by default. HTTPS backends are verified against the JVM's trust store.
     */
    public Builder scheme(Function<Server, String> scheme) {
      this.scheme = Objects.requireNonNull(scheme, "scheme");
      return this;
    }

    /**
     * Never forwards the client's request headers {@code names} (any case) to a backend: the
     * service's own credentials, say ({@code Authorization} when clients authenticate to the
     * service, not to the backends). None by default.
     */
    public Builder withholdRequestHeaders(String... names) {
      for (String name : names) {
        withheldRequestHeaders.add(Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** Names the forwarder's threads; {@code http-forwarder} by default. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets how many connections at most are open to one backend; 64 by default. Requests beyond
     * them wait for a connection.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxConnectionsPerBackend(int maxConnectionsPerBackend) {
      if (maxConnectionsPerBackend < 1) {
        throw new IllegalArgumentException(
            "maxConnectionsPerBackend: " + maxConnectionsPerBackend + " (expected: >= 1)");
      }
      this.maxConnectionsPerBackend = maxConnectionsPerBackend;
      return this;
    }

    /**
     * Sets how many requests may wait for a connection to one backend; 1024 by default. Beyond that
     * a request fails at once (503).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxQueuedPerBackend(int maxQueuedPerBackend) {
      if (maxQueuedPerBackend < 1) {
        throw new IllegalArgumentException(
            "maxQueuedPerBackend: " + maxQueuedPerBackend + " (expected: >= 1)");
      }
      this.maxQueuedPerBackend = maxQueuedPerBackend;
      return this;
    }

    /**
     * Sets the most threads the forwarder's client uses; 32 by default.
     *
     * @throws IllegalArgumentException if below 4
     */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 4) {
        throw new IllegalArgumentException("maxThreads: " + maxThreads + " (expected: >= 4)");
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /** Sets how long a connect may take; 5 s by default. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets how long a backend has to send its status and headers (or, for {@link #send}, its whole
     * answer); 30 s by default.
     */
    public Builder responseTimeout(Duration responseTimeout) {
      this.responseTimeout = positive(responseTimeout, "responseTimeout");
      return this;
    }

    /**
     * Sets how long a connection may sit idle, in the pool or mid-body, before it is closed; 60 s
     * by default.
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive(idleTimeout, "idleTimeout");
      return this;
    }

    /**
     * Sets the longest answer {@link HttpForwarder#send} buffers; 4 MiB by default.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxReplyBytes(int maxReplyBytes) {
      if (maxReplyBytes < 1) {
        throw new IllegalArgumentException("maxReplyBytes: " + maxReplyBytes + " (expected: >= 1)");
      }
      this.maxReplyBytes = maxReplyBytes;
      return this;
    }

    /** Sets where access records go; {@link AccessLog#slf4j()} by default. */
    public Builder accessLog(AccessLog accessLog) {
      this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
      return this;
    }

    /** Sets the ticker durations are measured with; the system's by default. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Starts the forwarder's client.
     *
     * @throws IllegalStateException if the client cannot start
     */
    public HttpForwarder build() {
      return new HttpForwarder(this);
    }
  }
}
