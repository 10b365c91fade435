package dev.lbkit.examples.broker;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.examples.broker.BrokerAuth.Caller;
import dev.lbkit.examples.http.Arguments;
import dev.lbkit.examples.http.NamedThreads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The sandbox broker's HTTP API (seeds 001 and 004) on the JDK's own HTTP server, bound to the
 * loopback address.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><th>route</th><th>who</th><th>answers</th></tr>
 *   <tr><td>{@code POST /v1/allocate}</td><td>a track</td>
 *       <td>201 a new allocation, 200 the same one again for a retried {@code Idempotency-Key},
 *       503 when no sandbox is free</td></tr>
 *   <tr><td>{@code GET /v1/sandboxes/{id}}</td><td>its track, the admin</td><td>200, 404</td></tr>
 *   <tr><td>{@code POST /v1/sandboxes/{id}/mark-for-deletion}</td><td>its track, the admin</td>
 *       <td>200 released, 404 not allocated</td></tr>
 *   <tr><td>{@code GET /v1/admin/sandboxes[?status=allocated|available|unhealthy]}</td>
 *       <td>the admin</td><td>200 the pool</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>anyone</td><td>Prometheus text exposition</td></tr>
 *   <tr><td>{@code GET /healthz}</td><td>anyone</td><td>200 while the process serves</td></tr>
 *   <tr><td>{@code GET /readyz}</td><td>anyone</td>
 *       <td>200 while at least one sandbox is healthy, else 503</td></tr>
 * </table>
 *
 * <p>Callers send {@code Authorization: Bearer <token>} (see {@link BrokerAuth}): a missing or
 * unknown token gets 401 with {@code WWW-Authenticate}; a track touching another track's sandbox,
 * or any admin route, gets 403, as does a track whose optional {@code X-Track-ID} header names
 * another track than its token. Bodies are JSON ({@code {"error": ..., "message": ...}} on errors).
 * No token is ever logged, echoed in a body or used as a metric label; {@code
 * broker_http_requests_total} is labelled by route template, method and status only.
 *
 * <p>Requests are served by a fixed pool of daemon threads; {@link #close()} stops the server and
 * waits for them to end.
 */
public final class BrokerHttpServer implements AutoCloseable {

  /** The header a track may send to name itself; must match its token's track. */
  public static final String TRACK_HEADER = "X-Track-ID";

  /** The header carrying an allocation's idempotency key; required by {@code /v1/allocate}. */
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  private static final System.Logger LOG = System.getLogger(BrokerHttpServer.class.getName());
  private static final String JSON = "application/json";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String SANDBOXES = "/v1/sandboxes/";
  private static final String MARK = "/mark-for-deletion";

  /** A matched route: its template (the metric label), its method, and the sandbox id if any. */
  private record Route(String template, String method, @Nullable String sandboxId) {}

  /** A response. */
  private record Reply(int status, String contentType, String body, Map<String, String> headers) {
    static Reply json(int status, String body) {
      return new Reply(status, JSON, body, Map.of());
    }

    static Reply error(int status, String error, String message) {
      return json(status, Json.object().field("error", error).field("message", message).end());
    }
  }

  private final SandboxBroker broker;
  private final BrokerAuth auth;
  private final MeterRegistry registry;
  private final HttpServer server;
  private final ExecutorService executor;

  private BrokerHttpServer(SandboxBroker broker, BrokerAuth auth, int port, int threads)
      throws IOException {
    this.broker = broker;
    this.auth = auth;
    this.registry = broker.meterRegistry();
    this.executor =
        Executors.newFixedThreadPool(threads, NamedThreads.daemon("lbkit-broker-http-"));
    try {
      this.server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    } catch (IOException | RuntimeException e) {
      executor.shutdown();
      throw e;
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Starts serving {@code broker} on a free loopback port with 16 threads.
   *
   * @throws IOException if the server cannot bind
   * @throws NullPointerException if an argument is null
   */
  public static BrokerHttpServer start(SandboxBroker broker, BrokerAuth auth) throws IOException {
    return start(broker, auth, 0, 16);
  }

  /**
   * Starts serving {@code broker} on loopback port {@code port} (0: any free one) with {@code
   * threads} request threads.
   *
   * @throws IOException if the server cannot bind
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code port} is not in {@code 0..65535} or {@code threads}
   *     is below 1
   */
  public static BrokerHttpServer start(SandboxBroker broker, BrokerAuth auth, int port, int threads)
      throws IOException {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(auth, "auth");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    Arguments.atLeast(threads, 1, "threads");
    return new BrokerHttpServer(broker, auth, port, threads);
  }

  /** Returns the base URI, such as {@code http://127.0.0.1:41234}. */
  public URI uri() {
    InetSocketAddress address = server.getAddress();
    String host = address.getAddress().getHostAddress();
    return URI.create(
        "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort());
  }

  /** Stops serving and waits (5 s at most) for the request threads to end. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- dispatch

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    Route route = match(exchange.getRequestURI().getPath());
    Reply reply;
    try {
      if (route == null) {
        reply = Reply.error(404, "not_found", "no such route");
      } else if (!route.method().equals(method)) {
        reply =
            new Reply(
                405,
                JSON,
                Json.object()
                    .field("error", "method_not_allowed")
                    .field("message", "use " + route.method())
                    .end(),
                Map.of("Allow", route.method()));
      } else {
        reply = serve(route, exchange);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "failed to serve " + method + " " + templateOf(route), e);
      reply = Reply.error(500, "internal", "internal error");
    }
    count(route, method, reply.status());
    int status = reply.status();
    LOG.log(Level.DEBUG, () -> method + " " + templateOf(route) + " -> " + status);
    send(exchange, reply);
  }

  /** Matches a path to a route; null if none. */
  private static @Nullable Route match(String path) {
    switch (path) {
      case "/healthz":
      case "/readyz":
      case "/metrics":
      case "/v1/admin/sandboxes":
        return new Route(path, "GET", null);
      case "/v1/allocate":
        return new Route(path, "POST", null);
      default:
        break;
    }
    if (path.startsWith(SANDBOXES)) {
      String rest = path.substring(SANDBOXES.length());
      if (rest.endsWith(MARK)) {
        String id = rest.substring(0, rest.length() - MARK.length());
        return id.isEmpty() || id.indexOf('/') >= 0
            ? null
            : new Route(SANDBOXES + "{id}" + MARK, "POST", id);
      }
      return rest.isEmpty() || rest.indexOf('/') >= 0
          ? null
          : new Route(SANDBOXES + "{id}", "GET", rest);
    }
    return null;
  }

  private static String templateOf(@Nullable Route route) {
    return route == null ? "unmatched" : route.template();
  }

  private Reply serve(Route route, HttpExchange exchange) {
    switch (route.template()) {
      case "/healthz":
        return Reply.json(200, Json.object().field("status", "healthy").end());
      case "/readyz":
        return readiness();
      case "/metrics":
        return new Reply(200, PROMETHEUS_TEXT, broker.meterRegistry().scrape(), Map.of());
      default:
        break;
    }
    if (broker.isClosed()) {
      return Reply.error(503, "unavailable", "the broker is shutting down");
    }
    Headers headers = exchange.getRequestHeaders();
    String authorization = headers.getFirst("Authorization");
    Optional<Caller> authenticated = auth.authenticate(authorization);
    if (authenticated.isEmpty()) {
      String why = authorization == null ? "missing bearer token" : "invalid bearer token";
      LOG.log(
          Level.INFO,
          () ->
              "401 on "
                  + route.method()
                  + " "
                  + route.template()
                  + " from "
                  + exchange.getRemoteAddress()
                  + ": "
                  + why);
      return new Reply(
          401,
          JSON,
          Json.object().field("error", "unauthorized").field("message", why).end(),
          Map.of(
              "WWW-Authenticate",
              authorization == null
                  ? "Bearer realm=\"sandbox-broker\""
                  : "Bearer realm=\"sandbox-broker\", error=\"invalid_token\""));
    }
    Caller caller = authenticated.get();
    String claimed = headers.getFirst(TRACK_HEADER);
    if (!caller.isAdmin() && claimed != null && !claimed.equals(caller.trackId())) {
      return forbidden(caller, route, TRACK_HEADER + " names another track than the token's");
    }
    String sandboxId = route.sandboxId();
    switch (route.template()) {
      case "/v1/allocate":
        return allocate(caller, route, headers.getFirst(IDEMPOTENCY_HEADER));
      case "/v1/admin/sandboxes":
        return caller.isAdmin()
            ? list(exchange.getRequestURI().getQuery())
            : forbidden(caller, route, "only the admin may list sandboxes");
      case SANDBOXES + "{id}":
        return read(caller, route, Objects.requireNonNull(sandboxId));
      case SANDBOXES + "{id}" + MARK:
        return markForDeletion(caller, route, Objects.requireNonNull(sandboxId));
      default:
        throw new AssertionError(route);
    }
  }

  // ---------------------------------------------------------------- routes

  private Reply readiness() {
    int healthy = broker.healthy();
    boolean ready = broker.isReady();
    return Reply.json(
        ready ? 200 : 503,
        Json.object()
            .field("status", ready ? "ready" : "not_ready")
            .field("healthy_sandboxes", healthy)
            .field("sandboxes", broker.size())
            .end());
  }

  private Reply allocate(Caller caller, Route route, @Nullable String key) {
    String track = caller.trackId();
    if (track == null) {
      return forbidden(caller, route, "allocate is for tracks; the admin has no track");
    }
    if (key == null) {
      return Reply.error(400, "bad_request", IDEMPOTENCY_HEADER + " header is required");
    }
    Optional<Allocation> allocation;
    try {
      allocation = broker.allocate(track, key);
    } catch (IllegalArgumentException e) {
      return Reply.error(400, "bad_request", IDEMPOTENCY_HEADER + ": " + e.getMessage());
    }
    if (allocation.isEmpty()) {
      return Reply.error(503, "no_sandboxes", "no sandbox is free; retry later");
    }
    Allocation a = allocation.get();
    return Reply.json(
        a.replayed() ? 200 : 201,
        Json.object()
            .field("sandbox_id", a.sandboxId())
            .field("track_id", a.trackId())
            .field("idempotency_key", a.idempotencyKey())
            .field("expires_in_seconds", a.expiresIn().toSeconds())
            .field("replayed", a.replayed())
            .end());
  }

  private Reply read(Caller caller, Route route, String sandboxId) {
    Optional<SandboxView> view = broker.sandbox(sandboxId);
    if (view.isEmpty()) {
      return Reply.error(404, "not_found", "no such sandbox");
    }
    String holder = view.get().trackId();
    if (!caller.isAdmin() && !Objects.equals(holder, caller.trackId())) {
      return holder == null
          ? Reply.error(404, "not_allocated", "sandbox " + sandboxId + " is not allocated to you")
          : forbidden(caller, route, "sandbox " + sandboxId + " belongs to another track");
    }
    return Reply.json(200, json(view.get()));
  }

  private Reply markForDeletion(Caller caller, Route route, String sandboxId) {
    String track = caller.trackId();
    ReleaseOutcome outcome =
        track == null
            ? broker.markForDeletion(sandboxId)
            : broker.markForDeletion(sandboxId, track);
    switch (outcome) {
      case RELEASED:
        return Reply.json(
            200, Json.object().field("sandbox_id", sandboxId).field("status", "released").end());
      case NOT_YOURS:
        return forbidden(caller, route, "sandbox " + sandboxId + " belongs to another track");
      case NOT_ALLOCATED:
        return Reply.error(404, "not_allocated", "sandbox " + sandboxId + " is not allocated");
      case UNKNOWN_SANDBOX:
        return Reply.error(404, "not_found", "no such sandbox");
    }
    throw new AssertionError(outcome);
  }

  private Reply list(@Nullable String query) {
    String status = null;
    if (query != null) {
      for (String pair : query.split("&", -1)) {
        if (pair.startsWith("status=")) {
          status = pair.substring("status=".length());
        }
      }
    }
    if (status != null && !List.of("allocated", "available", "unhealthy").contains(status)) {
      return Reply.error(
          400, "bad_request", "status: " + status + " (expected: allocated, available, unhealthy)");
    }
    List<String> items = new ArrayList<>();
    for (SandboxView view : broker.sandboxes()) {
      if (status == null || status.equals(statusOf(view))) {
        items.add(json(view));
      }
    }
    return Reply.json(
        200,
        Json.object()
            .field("count", items.size())
            .raw("sandboxes", "[" + String.join(",", items) + "]")
            .end());
  }

  private static String statusOf(SandboxView view) {
    return view.allocated() ? "allocated" : view.healthy() ? "available" : "unhealthy";
  }

  private static String json(SandboxView view) {
    Json json =
        Json.object()
            .field("sandbox_id", view.sandboxId())
            .field("status", statusOf(view))
            .field("healthy", view.healthy())
            .field("track_id", view.trackId());
    return view.heldFor() == null
        ? json.raw("held_for_seconds", "null").end()
        : json.field("held_for_seconds", Objects.requireNonNull(view.heldFor()).toSeconds()).end();
  }

  private static Reply forbidden(Caller caller, Route route, String why) {
    LOG.log(
        Level.INFO,
        () ->
            "403 on "
                + route.method()
                + " "
                + route.template()
                + " for "
                + (caller.isAdmin() ? "the admin" : "track " + caller.trackId())
                + ": "
                + why);
    return Reply.error(403, "forbidden", why);
  }

  // ---------------------------------------------------------------- plumbing

  private void count(@Nullable Route route, String method, int status) {
    Counter.builder("broker.http.requests")
        .description("HTTP requests served, by route template, method and status")
        .tag("route", templateOf(route))
        .tag("method", route != null && route.method().equals(method) ? method : "other")
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", reply.contentType());
    headers.set("Cache-Control", "no-store");
    reply.headers().forEach(headers::set);
    exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    } finally {
      exchange.close();
    }
  }

  @Override
  public String toString() {
    return "BrokerHttpServer{" + uri() + ", " + broker + "}";
  }
}
