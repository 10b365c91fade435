package dev.lbkit.services.broker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.broker.jobs.Job;
import dev.lbkit.services.broker.store.Database;
import dev.lbkit.services.broker.store.Sandbox;
import dev.lbkit.services.broker.store.SandboxStore;
import dev.lbkit.services.broker.store.Status;
import dev.lbkit.services.kit.Endpoint;
import dev.lbkit.services.kit.Exchange;
import dev.lbkit.services.kit.HttpError;
import dev.lbkit.services.kit.Reply;
import dev.lbkit.services.kit.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The seed's HTTP API: track routes (a track token and {@code X-Track-ID}), admin routes (the admin
 * token), probes, metrics and the OpenAPI document. Bad input is a 4xx naming what was wrong; a
 * store that does not answer is a 503.
 */
final class BrokerApi {
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");
  private static final int MAX_LIMIT = 500;

  private final SandboxStore store;
  private final Database db;
  private final Allocator allocator;
  private final BrokerAuth auth;
  private final TrackRateLimits rateLimits;
  private final BrokerMetrics metrics;
  private final BrokerTime time;
  private final Job sync;
  private final Job cleanup;
  private final Duration leaseTtl;
  private final String breakerState;
  private final java.util.function.Supplier<String> breaker;
  private final String openApi;

  BrokerApi(
      SandboxStore store,
      Database db,
      Allocator allocator,
      BrokerAuth auth,
      TrackRateLimits rateLimits,
      BrokerMetrics metrics,
      BrokerTime time,
      Job sync,
      Job cleanup,
      Duration leaseTtl,
      java.util.function.Supplier<String> breaker) {
    this.store = store;
    this.db = db;
    this.allocator = allocator;
    this.auth = auth;
    this.rateLimits = rateLimits;
    this.metrics = metrics;
    this.time = time;
    this.sync = sync;
    this.cleanup = cleanup;
    this.leaseTtl = leaseTtl;
    this.breakerState = "csp_circuit_breaker";
    this.breaker = breaker;
    this.openApi = resource("openapi.json");
  }

  Routes routes() {
    return Routes.builder()
        .post("/v1/allocate", guard(this::allocate))
        .post("/v1/sandboxes/{id}/mark-for-deletion", guard(this::markForDeletion))
        .get("/v1/sandboxes/{id}", guard(this::sandbox))
        .get("/v1/admin/sandboxes", guard(this::list))
        .get("/v1/admin/stats", guard(this::stats))
        .post("/v1/admin/sync", guard(ex -> adminJob(ex, sync)))
        .post("/v1/admin/cleanup", guard(ex -> adminJob(ex, cleanup)))
        .get("/healthz", ex -> Reply.json(200, Map.of("status", "healthy", "timestamp", seconds())))
        .get("/readyz", ex -> ready())
        .get("/metrics", ex -> metrics())
        .get("/v1/openapi.json", ex -> Reply.text(200, "application/json", openApi))
        .build();
  }

  /** An endpoint that may hit the store: a store failure is a 503, not a 500. */
  private interface StoreEndpoint {
    Reply handle(Exchange exchange) throws SQLException, IOException;
  }

  private static Endpoint guard(StoreEndpoint endpoint) {
    return ex -> {
      try {
        return endpoint.handle(ex);
      } catch (SQLException e) {
        throw new HttpError(
            503,
            "store_unavailable",
            "the store did not answer; try again",
            Map.of("Retry-After", "5"));
      }
    };
  }

  // ------------------------------------------------------------------ track routes

  /** The calling track: a track token whose track is {@code X-Track-ID} (or any, for '*'). */
  private String track(Exchange ex) {
    BrokerAuth.Caller caller =
        auth.authenticate(ex.header("Authorization"))
            .orElseThrow(() -> HttpError.unauthorized("Authorization: a valid Bearer token"));
    if (caller.admin()) {
      throw HttpError.forbidden("the admin token is not a track's token");
    }
    String track = ex.header("X-Track-ID");
    if (track == null || !BrokerAuth.TRACK_ID.matcher(track).matches()) {
      throw HttpError.badRequest(
          "X-Track-ID: "
              + (track == null ? "missing" : "'" + shorten(track) + "'")
              + " (expected: 1 to 64 of [A-Za-z0-9._-])");
    }
    String own = Objects.requireNonNull(caller.track());
    if (!own.equals(BrokerAuth.ANY_TRACK) && !own.equals(track)) {
      throw HttpError.forbidden("X-Track-ID: '" + track + "' is not this token's track");
    }
    ex.logField("track_id", track);
    return track;
  }

  private Reply allocate(Exchange ex) throws SQLException, IOException {
    String track = track(ex);
    ex.jsonBody(JsonNode.class); // no fields are read; a body must still be JSON
    String key = ex.header("Idempotency-Key");
    if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw HttpError.badRequest(
          "Idempotency-Key: "
              + key.length()
              + " characters (expected: 1 to 128 printable ASCII, no space)");
    }
    Optional<Duration> wait = rateLimits.acquire(track);
    if (wait.isPresent()) {
      metrics.allocation("rate_limited", 0);
      throw new HttpError(
          429,
          "rate_limited",
          "track " + track + " is over its allocation rate; retry later",
          Map.of("Retry-After", Long.toString(wait.get().toSeconds())));
    }
    Optional<Allocator.Result> result = allocator.allocate(track, key);
    if (result.isEmpty()) {
      throw new HttpError(
          503,
          "no_sandboxes",
          "no sandbox is available; the pool is exhausted until sandboxes are freed or synced",
          Map.of("Retry-After", "30"));
    }
    Sandbox sandbox = result.get().sandbox();
    ex.logField("sandbox_id", sandbox.id());
    ex.logField("conflicts", result.get().conflicts());
    Map<String, @Nullable Object> body = sandbox.toJson();
    Long at = sandbox.allocatedAt();
    body.put("expires_at", at == null ? null : (at + leaseTtl.toMillis()) / 1000);
    body.put("idempotent", result.get().existing());
    return Reply.json(result.get().existing() ? 200 : 201, body);
  }

  private Reply markForDeletion(Exchange ex) throws SQLException {
    String track = track(ex);
    String id = ex.pathParam("id");
    ex.logField("sandbox_id", shorten(id));
    if (store.markForDeletion(id, track, time.millis())) {
      metrics.deletionMarked("success");
      return Reply.json(200, owned(id));
    }
    Sandbox sandbox = visible(id, track, "deletion");
    if (sandbox.status() == Status.PENDING_DELETION) {
      metrics.deletionMarked("already_marked");
      return Reply.json(200, sandbox.toJson());
    }
    metrics.deletionMarked("not_allocated");
    throw new HttpError(
        409,
        "not_allocated",
        "sandbox " + id + " is " + sandbox.status().label() + ", not allocated");
  }

  private Reply sandbox(Exchange ex) throws SQLException {
    String track = track(ex);
    String id = ex.pathParam("id");
    return Reply.json(200, visible(id, track, null).toJson());
  }

  /** The sandbox if {@code track} holds (or held) it: else 404 or 403. */
  private Sandbox visible(String id, String track, @Nullable String counted) throws SQLException {
    Optional<Sandbox> sandbox = store.find(id);
    if (sandbox.isEmpty()) {
      if (counted != null) {
        metrics.deletionMarked("not_found");
      }
      throw HttpError.notFound("sandbox " + shorten(id) + ": no such sandbox");
    }
    if (!track.equals(sandbox.get().allocatedToTrack())) {
      if (counted != null) {
        metrics.deletionMarked("forbidden");
      }
      throw HttpError.forbidden("sandbox " + id + " is not allocated to track " + track);
    }
    return sandbox.get();
  }

  private Map<String, @Nullable Object> owned(String id) throws SQLException {
    return store.find(id).map(Sandbox::toJson).orElseGet(() -> Map.of("sandbox_id", id));
  }

  // ------------------------------------------------------------------ admin routes

  private void admin(Exchange ex) {
    BrokerAuth.Caller caller =
        auth.authenticate(ex.header("Authorization"))
            .orElseThrow(() -> HttpError.unauthorized("Authorization: a valid Bearer token"));
    if (!caller.admin()) {
      throw HttpError.forbidden("an admin route: the admin token is needed");
    }
  }

  private Reply list(Exchange ex) throws SQLException {
    admin(ex);
    Status status = null;
    String s = ex.query("status");
    if (s != null && !s.isEmpty()) {
      try {
        status = Status.of(s);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest(shorten(String.valueOf(e.getMessage())));
      }
    }
    int limit = 50;
    String l = ex.query("limit");
    if (l != null && !l.isEmpty()) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw HttpError.badRequest("limit: '" + shorten(l) + "' (expected: 1.." + MAX_LIMIT + ")");
      }
    }
    String after = null;
    String cursor = ex.query("cursor");
    if (cursor != null && !cursor.isEmpty()) {
      try {
        after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("cursor: not one this API returned (expected: next_cursor)");
      }
    }
    List<Sandbox> page = store.list(status, after, limit + 1);
    List<Map<String, @Nullable Object>> items = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, page.size()); i++) {
      items.add(page.get(i).toJson());
    }
    Map<String, @Nullable Object> body = new LinkedHashMap<>();
    body.put("sandboxes", items);
    body.put("count", items.size());
    body.put(
        "next_cursor",
        page.size() > limit
            ? Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(page.get(limit - 1).id().getBytes(StandardCharsets.UTF_8))
            : null);
    return Reply.json(200, body);
  }

  private Reply stats(Exchange ex) throws SQLException {
    admin(ex);
    Map<Status, Long> counts = store.counts();
    metrics.pool(counts);
    Map<String, Object> body = new LinkedHashMap<>();
    long total = 0;
    for (Map.Entry<Status, Long> e : counts.entrySet()) {
      body.put(e.getKey().label(), e.getValue());
      total += e.getValue();
    }
    body.put("total", total);
    return Reply.json(200, body);
  }

  private Reply adminJob(Exchange ex, Job job) {
    admin(ex);
    return Reply.json(200, job.run());
  }

  // ------------------------------------------------------------------ probes

  private Reply ready() {
    String problem = db.check();
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("database", problem == null ? "ok" : "error: " + shorten(problem));
    checks.put(breakerState, breaker.get());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", problem == null ? "ready" : "not_ready");
    body.put("timestamp", seconds());
    body.put("checks", checks);
    return Reply.json(problem == null ? 200 : 503, body);
  }

  private Reply metrics() {
    try {
      metrics.pool(store.counts());
    } catch (SQLException e) {
      // the gauges keep their last values; /readyz tells the store is down
    }
    return Reply.text(200, "text/plain; version=0.0.4", metrics.scrape());
  }

  private long seconds() {
    return time.millis() / 1000;
  }

  private static String shorten(String text) {
    String line = text.replaceAll("[\\p{Cntrl}]", "?");
    return line.length() <= 80 ? line : line.substring(0, 80) + "...";
  }

  private static String resource(String name) {
    try (InputStream in = BrokerApi.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
