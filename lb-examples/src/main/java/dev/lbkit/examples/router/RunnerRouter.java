package dev.lbkit.examples.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.sun.net.httpserver.HttpExchange;
import dev.lbkit.core.Algorithm;
import dev.lbkit.core.FailoverException;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.NoServerAvailableException;
import dev.lbkit.core.Request;
import dev.lbkit.core.RetryRule;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import dev.lbkit.examples.http.Arguments;
import dev.lbkit.examples.http.Exchanges;
import dev.lbkit.examples.http.HttpError;
import dev.lbkit.examples.http.Json;
import dev.lbkit.examples.http.JsonClient;
import dev.lbkit.examples.http.LoopbackServer;
import dev.lbkit.examples.http.Secrets;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.Probe;
import dev.lbkit.health.Scheduler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The seed's sandbox runner load balancer (seed 000) embedded on lbkit: new jobs go to the healthy
 * runner with the lowest queue depth, every later request of a job goes to the runner that took it,
 * and completed results are cached so that the same evaluation is never run twice.
 *
 * <pre>{@code
 * try (RunnerRouter router = RunnerRouter.builder()
 *     .runner("10.0.0.1", 8080).runner("10.0.0.2", 8080)
 *     .apiKeys(List.of(System.getenv("LB_API_KEY")))
 *     .start()) {
 *   URI uri = router.uri(); // the runners' own API, behind an X-API-Key header
 * }
 * }</pre>
 *
 * <h2>HTTP API</h2>
 *
 * The runners' API, so clients only change the address, plus the router's status routes. Every
 * route but health needs an {@code X-API-Key} header holding one of the keys: without it, or with a
 * wrong one, the answer is 401.
 *
 * <ul>
 *   <li>{@code GET /health}, {@code GET /v1/health}: 200 while a runner is healthy, else 503.
 *   <li>{@code POST /v1/jobs/submit {repo_url, branch, commit, path, weight_class}}: a cached
 *       result at once ({@code "from_cache": true}, job id {@code cache_...}), or the job sent to
 *       the runner with the lowest queue depth, failing over to the next if it does not answer (job
 *       id {@code job_...}); 503 if no runner is healthy.
 *   <li>{@code GET /v1/jobs/{id}}, {@code GET /v1/jobs/{id}/metrics}, {@code DELETE /v1/jobs/{id}}:
 *       passed to the job's runner; completed metrics are cached. 404 for a job unknown here (or
 *       not asked about for the job TTL); 502 naming the job if its runner is down (the job is
 *       stranded: submit it again).
 *   <li>{@code GET /v1/status}, {@code GET /v1/stats}, {@code GET /v1/cache/entries}.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops the HTTP server, the health checks and every thread the
 * router started.
 */
public final class RunnerRouter implements AutoCloseable {

  /*
   * What lbkit does, and what the router keeps itself.
   *
   * New jobs: LoadBalancer with LEAST_LOADED over the runners; the HealthChecker's Probe.http reads
   * each runner's queue_depth from /v1/health and reports it as the server's load, and
   * execute() fails a submit over to the next runner when one does not answer. Between probes
   * the router adds each job it sends to that runner's load, so a burst does not all land on the
   * runner that looked emptiest at the last probe; the next probe puts the true figure back.
   *
   * Later requests of a job: a table of job id -> (runner, the runner's own job id, result key),
   * a Caffeine cache expiring a job after the job TTL without a request. Not lbkit's
   * SessionAffinity, though it pins keys with a TTL too: a job needs more than a server kept
   * with it, and SessionAffinity.getServer answers "no pin" for a pin whose server is down,
   * which would make a stranded job look unknown. The facade's affinity() would re-pin such a job
   * to another runner, which has never heard of it.
   *
   * Results: a second Caffeine cache by (repo_url, branch, commit, path, weight_class), expiring
   * after the result TTL; a hit is answered without touching a runner. Both caches run on the
   * injected Ticker and clean up on the calling thread, so the router starts no cache threads.
   */

  private static final System.Logger LOG = System.getLogger(RunnerRouter.class.getName());

  /** The header that carries the API key. */
  public static final String API_KEY_HEADER = "X-API-Key";

  private static final String CACHED_JOB_PREFIX = "cache_";

  /** What identifies an evaluation: two jobs with the same key have the same result. */
  record ResultKey(String repoUrl, String branch, String commit, String path, String weightClass) {

    /** Reads the key from a submit body; IllegalArgumentException names a missing field. */
    static ResultKey of(Map<String, Object> body) {
      return new ResultKey(
          Json.string(body, "repo_url"),
          Json.string(body, "branch"),
          Json.string(body, "commit"),
          Json.string(body, "path"),
          Json.string(body, "weight_class"));
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("repo_url", repoUrl);
      json.put("branch", branch);
      json.put("commit", commit);
      json.put("path", path);
      json.put("weight_class", weightClass);
      return json;
    }
  }

  /**
   * What the router remembers of a job.
   *
   * @param runner the runner that took it, or null if it was answered from the result cache
   * @param remoteId the runner's own id for it
   */
  private record JobRoute(@Nullable Server runner, String remoteId, ResultKey key) {}

  private final Secrets apiKeys;
  private final Duration jobTtl;
  private final Duration requestTimeout;
  private final LoadBalancer lb;
  private final Object loadLock = new Object();
  private final Cache<String, JobRoute> jobs;
  private final Cache<ResultKey, Map<String, Object>> results;
  private final JsonClient http;
  private final HealthChecker health;
  private final LoopbackServer server;

  private RunnerRouter(Builder builder, Secrets apiKeys) throws IOException {
    this.apiKeys = apiKeys;
    this.jobTtl = builder.jobTtl;
    this.requestTimeout = builder.requestTimeout;
    this.lb =
        LoadBalancer.builder(builder.runners)
            .algorithm(Algorithm.LEAST_LOADED)
            .ticker(builder.ticker)
            // A submit that failed (a 5xx, or no answer) goes to the next runner, POST though it
            // is: RetryRule.safe() would retry only a refused connection.
            .retryRule(RetryRule.always())
            .build();
    com.github.benmanes.caffeine.cache.Ticker cacheTicker = builder.ticker::read;
    this.jobs =
        Caffeine.newBuilder()
            .expireAfterAccess(jobTtl)
            .maximumSize(1_000_000)
            .ticker(cacheTicker)
            .executor(Runnable::run)
            .build();
    this.results =
        Caffeine.newBuilder()
            .expireAfterWrite(builder.resultTtl)
            .maximumSize(100_000)
            .ticker(cacheTicker)
            .executor(Runnable::run)
            .recordStats()
            .build();
    this.http = JsonClient.create("runner-router");
    HealthChecker.Builder checks =
        HealthChecker.builder()
            .interval(builder.healthInterval)
            .timeout(builder.healthTimeout)
            .healthyThreshold(1)
            .unhealthyThreshold(2)
            .probe(Probe.http("/v1/health", RunnerRouter::saysHealthy, RunnerRouter::queueDepth));
    if (builder.scheduler != null) {
      checks.scheduler(builder.scheduler);
    }
    this.health = checks.build();
    health.watch(lb);
    LoopbackServer started;
    try {
      started = LoopbackServer.start("runner-router", this::handle);
    } catch (IOException | RuntimeException e) {
      http.close();
      throw e;
    }
    this.server = started;
    health.start();
  }

  private static boolean saysHealthy(String body) {
    try {
      return "healthy".equals(Json.parseObject(body).get("status"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static long queueDepth(String body) {
    return Json.integer(Json.parseObject(body), "queue_depth");
  }

  /** Returns a builder; at least one runner and one API key must be given. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Probes every runner once now, waiting for each answer (at most the health timeout each), and
   * feeds the results (health and queue depth) to the health checker, as its rounds do.
   */
  public void checkHealth() {
    lb.servers().forEach(health::check);
  }

  /** Returns the router's base URI, {@code http://127.0.0.1:port}. */
  public URI uri() {
    return server.uri();
  }

  // ---------------------------------------------------------------- HTTP

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    List<String> path = Exchanges.pathSegments(exchange);
    if (method.equals("GET")
        && (path.equals(List.of("health")) || path.equals(List.of("v1", "health")))) {
      routerHealth(exchange);
      return;
    }
    authenticate(exchange);
    if (method.equals("POST") && path.equals(List.of("v1", "jobs", "submit"))) {
      submit(exchange);
    } else if (path.size() >= 3 && path.subList(0, 2).equals(List.of("v1", "jobs"))) {
      boolean metrics = path.size() == 4 && path.get(3).equals("metrics");
      boolean job = path.size() == 3 && (method.equals("GET") || method.equals("DELETE"));
      if (!job && !(metrics && method.equals("GET"))) {
        throw noRoute(exchange);
      }
      forward(exchange, path.get(2), metrics ? "/metrics" : "");
    } else if (method.equals("GET") && path.equals(List.of("v1", "status"))) {
      Exchanges.respond(exchange, 200, status());
    } else if (method.equals("GET") && path.equals(List.of("v1", "stats"))) {
      Exchanges.respond(exchange, 200, stats());
    } else if (method.equals("GET") && path.equals(List.of("v1", "cache", "entries"))) {
      List<Map<String, Object>> entries = new ArrayList<>();
      results.asMap().keySet().forEach(key -> entries.add(key.toJson()));
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("count", entries.size());
      answer.put("entries", entries);
      Exchanges.respond(exchange, 200, answer);
    } else {
      throw noRoute(exchange);
    }
  }

  /**
   * Lets the request through if it carries one of the API keys; else 401. The key is compared in
   * constant time, and is never logged or sent back.
   */
  private void authenticate(HttpExchange exchange) {
    String key = exchange.getRequestHeaders().getFirst(API_KEY_HEADER);
    if (key != null && apiKeys.contains(key)) {
      return;
    }
    String reason = key == null ? "no API key" : "an invalid API key";
    LOG.log(
        Level.INFO,
        () ->
            "rejected "
                + exchange.getRequestMethod()
                + " "
                + exchange.getRequestURI().getPath()
                + " from "
                + exchange.getRemoteAddress()
                + ": "
                + reason);
    throw new HttpError(
        401,
        key == null
            ? "missing API key: send it in the " + API_KEY_HEADER + " header"
            : "invalid API key");
  }

  private void routerHealth(HttpExchange exchange) throws IOException {
    long healthy = lb.servers().stream().filter(Server::isHealthy).count();
    Exchanges.respond(
        exchange,
        healthy > 0 ? 200 : 503,
        Map.of(
            "status",
            healthy > 0 ? "healthy" : "unavailable",
            "healthy_runners",
            healthy,
            "runners",
            lb.servers().size()));
  }

  // ---------------------------------------------------------------- jobs

  private void submit(HttpExchange exchange) throws IOException {
    ResultKey key;
    try {
      key = ResultKey.of(Exchanges.jsonBody(exchange));
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, String.valueOf(e.getMessage()));
    }
    Map<String, Object> cached = results.getIfPresent(key);
    if (cached != null) {
      String id = CACHED_JOB_PREFIX + UUID.randomUUID();
      jobs.put(id, new JobRoute(null, id, key));
      Exchanges.respond(exchange, 200, answerFromCache(id, cached));
      return;
    }
    Request request = Request.builder().method("POST").path("/v1/jobs/submit").build();
    Submitted submitted;
    try {
      submitted = lb.execute(request, runner -> submitTo(runner, key));
    } catch (NoServerAvailableException e) {
      throw new HttpError(503, "no healthy runner");
    } catch (FailoverException e) {
      throw new HttpError(502, "no runner took the job: " + e.attempts() + " tried");
    }
    JsonClient.Response response = submitted.response();
    Map<String, Object> body = parse(response, "the submit");
    if (!response.ok()) {
      Exchanges.respond(exchange, response.status(), body); // the runner's 4xx, as it is
      return;
    }
    String id = "job_" + UUID.randomUUID();
    String remoteId;
    try {
      remoteId = Json.string(body, "job_id");
    } catch (IllegalArgumentException e) {
      throw new HttpError(502, "the runner answered the submit without a job_id");
    }
    Server runner = submitted.runner();
    jobs.put(id, new JobRoute(runner, remoteId, key));
    synchronized (loadLock) {
      runner.reportLoad(runner.load() + 1); // until the next probe reports the true depth
    }
    Map<String, Object> answer = new LinkedHashMap<>(body);
    answer.put("job_id", id);
    answer.put("from_cache", false);
    Exchanges.respond(exchange, 200, answer);
  }

  /** A runner's answer to a submit, and which runner it was. */
  private record Submitted(Server runner, JsonClient.Response response) {}

  /**
   * Submits to {@code runner}; throws (so that execute() fails over) unless it answers below 500.
   */
  private Submitted submitTo(Server runner, ResultKey key) throws IOException {
    JsonClient.Response response = call("POST", runner, "/v1/jobs/submit", key.toJson());
    if (response.status() >= 500) {
      throw new IOException(runner + " answered the submit with HTTP " + response.status());
    }
    return new Submitted(runner, response);
  }

  /** Passes a request about job {@code id} to the runner that took it. */
  private void forward(HttpExchange exchange, String id, String suffix) throws IOException {
    String method = exchange.getRequestMethod();
    JobRoute route = jobs.getIfPresent(id);
    if (route == null) {
      throw new HttpError(
          404,
          "unknown job: " + id + " (not submitted here, or not asked about for " + jobTtl + ")");
    }
    Server runner = route.runner();
    if (runner == null) {
      answerCachedJob(exchange, id, route.key());
      return;
    }
    if (!runner.isHealthy()) {
      throw stranded(id, runner, "it is unhealthy");
    }
    JsonClient.Response response;
    try {
      response = call(method, runner, "/v1/jobs/" + route.remoteId() + suffix, null);
    } catch (IOException e) {
      throw stranded(id, runner, e.toString());
    }
    if (response.status() >= 500) {
      throw stranded(id, runner, "it answered HTTP " + response.status());
    }
    Map<String, Object> body = parse(response, "job " + id);
    if (response.ok() && suffix.equals("/metrics") && "completed".equals(body.get("status"))) {
      Map<String, Object> metrics = new LinkedHashMap<>(body);
      metrics.remove("job_id");
      metrics.remove("status");
      results.put(route.key(), Map.copyOf(metrics));
    }
    if (response.ok() && method.equals("DELETE")) {
      jobs.invalidate(id);
    }
    Map<String, Object> answer = new LinkedHashMap<>(body);
    answer.put("job_id", id);
    answer.put("from_cache", false);
    Exchanges.respond(exchange, response.status(), answer);
  }

  private HttpError stranded(String id, Server runner, String why) {
    LOG.log(Level.WARNING, () -> "job " + id + " is stranded on " + runner + ": " + why);
    return new HttpError(
        502,
        "job " + id + " is stranded: the runner that took it is unavailable; submit the job again");
  }

  /** Answers a request about a job that was answered from the result cache. */
  private void answerCachedJob(HttpExchange exchange, String id, ResultKey key) throws IOException {
    if (exchange.getRequestMethod().equals("DELETE")) {
      jobs.invalidate(id);
      Exchanges.respond(exchange, 200, Map.of("job_id", id, "status", "cancelled"));
      return;
    }
    Map<String, Object> cached = results.policy().getIfPresentQuietly(key);
    if (cached == null) {
      throw new HttpError(404, "job " + id + ": its cached result has expired; submit it again");
    }
    Exchanges.respond(exchange, 200, answerFromCache(id, cached));
  }

  private static Map<String, Object> answerFromCache(String id, Map<String, Object> metrics) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("job_id", id);
    answer.put("status", "completed");
    answer.put("from_cache", true);
    answer.putAll(metrics);
    return answer;
  }

  /** Calls a runner and waits for its answer, at most the request timeout. */
  private JsonClient.Response call(String method, Server runner, String path, @Nullable Object body)
      throws IOException {
    CompletableFuture<JsonClient.Response> exchange =
        http.send(method, URI.create("http://" + runner.id() + path), body, requestTimeout);
    try {
      return exchange.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException ? (IOException) cause : new IOException(cause);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new IOException(runner + " did not answer within " + requestTimeout, e);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static Map<String, Object> parse(JsonClient.Response response, String what) {
    try {
      return response.json();
    } catch (IllegalArgumentException e) {
      throw new HttpError(502, "the runner answered " + what + " with a malformed body");
    }
  }

  private static HttpError noRoute(HttpExchange exchange) {
    return new HttpError(
        404, "no route: " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
  }

  // ---------------------------------------------------------------- status

  private Map<String, Object> status() {
    List<Map<String, Object>> runners = new ArrayList<>();
    Map<String, Long> routed = lb.stats().requestsPerServer();
    for (Server runner : lb.servers()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("runner", runner.id());
      json.put("healthy", runner.isHealthy());
      json.put("queue_depth", runner.load());
      json.put("jobs_routed", routed.getOrDefault(runner.id(), 0L));
      runners.add(json);
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("runners", runners);
    status.put("jobs", jobs.estimatedSize());
    status.put("cached_results", results.estimatedSize());
    return status;
  }

  private Map<String, Object> stats() {
    CacheStats cache = results.stats();
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("cache_hits", cache.hitCount());
    stats.put("cache_misses", cache.missCount());
    stats.put("cache_hit_rate", cache.hitRate());
    stats.put("requests_per_runner", lb.stats().requestsPerServer());
    stats.put("no_runner_available", lb.stats().rejected());
    return stats;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops the HTTP server, the health checks and every thread the router started. Idempotent. */
  @Override
  public void close() {
    server.close();
    health.close();
    http.close();
  }

  @Override
  public String toString() {
    return "RunnerRouter{" + server.uri() + ", runners=" + lb.servers() + "}";
  }

  // ---------------------------------------------------------------- builder

  /** Builds a {@link RunnerRouter}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private final List<Server> runners = new ArrayList<>();
    private @Nullable Secrets apiKeys;
    private Duration resultTtl = Duration.ofDays(7);
    private Duration jobTtl = Duration.ofDays(1);
    private Duration healthInterval = Duration.ofSeconds(30);
    private Duration healthTimeout = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Ticker ticker = Ticker.system();
    private @Nullable Scheduler scheduler;

    private Builder() {}

    /**
     * Adds the runner at {@code host:port}.
     *
     * @throws IllegalArgumentException if the address is invalid or already added
     */
    public Builder runner(String host, int port) {
      Server runner = new Server(host, port);
      if (runners.contains(runner)) {
        throw new IllegalArgumentException("runner: " + runner + " (expected: added once)");
      }
      runners.add(runner);
      return this;
    }

    /**
     * Sets the API keys callers may use, replacing any set before.
     *
     * @throws IllegalArgumentException if there is none or one is blank (never showing a key)
     * @throws NullPointerException if {@code apiKeys} or a key is null
     */
    public Builder apiKeys(Collection<String> apiKeys) {
      this.apiKeys = Secrets.of("apiKeys", apiKeys);
      return this;
    }

    /**
     * Sets how long a completed result is served from the cache after it was stored; 7 days by
     * default, as in the seed.
     *
     * @throws IllegalArgumentException if {@code resultTtl} is not positive
     */
    public Builder resultTtl(Duration resultTtl) {
      this.resultTtl = Arguments.positive(resultTtl, "resultTtl");
      return this;
    }

    /**
     * Sets how long the router remembers a job after the last request about it; 1 day by default.
     *
     * @throws IllegalArgumentException if {@code jobTtl} is not positive
     */
    public Builder jobTtl(Duration jobTtl) {
      this.jobTtl = Arguments.positive(jobTtl, "jobTtl");
      return this;
    }

    /**
     * Sets how often each runner is probed (30 s by default, as in the seed) and how long it has to
     * answer (2 s by default).
     *
     * @throws IllegalArgumentException if either is not positive, or the timeout is longer than the
     *     interval
     */
    public Builder health(Duration interval, Duration timeout) {
      Arguments.healthTiming(interval, timeout);
      this.healthInterval = interval;
      this.healthTimeout = timeout;
      return this;
    }

    /**
     * Sets how long the router waits for a runner's answer; 10 s by default.
     *
     * @throws IllegalArgumentException if {@code requestTimeout} is not positive
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Arguments.positive(requestTimeout, "requestTimeout");
      return this;
    }

    /**
     * Runs the caches and the balancer on {@code ticker} and the health rounds on {@code
     * scheduler}, instead of the system clock and the health checker's own thread: tests pass fake
     * time. The router never shuts a given scheduler down.
     */
    public Builder clock(Ticker ticker, Scheduler scheduler) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Starts the router: its HTTP server on 127.0.0.1 and a free port, and its health checks.
     *
     * @throws IllegalStateException if no runner or no API key was given
     * @throws IOException if the HTTP server cannot bind
     */
    public RunnerRouter start() throws IOException {
      if (runners.isEmpty()) {
        throw new IllegalStateException("runners: none (expected: at least one)");
      }
      Secrets keys = apiKeys;
      if (keys == null) {
        throw new IllegalStateException("apiKeys: none (expected: at least one)");
      }
      return new RunnerRouter(this, keys);
    }
  }
}
