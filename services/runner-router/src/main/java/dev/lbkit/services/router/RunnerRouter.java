package dev.lbkit.services.router;

import dev.lbkit.health.Scheduler;
import dev.lbkit.services.forward.HttpForwarder;
import dev.lbkit.services.kit.HttpService;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Routes;
import dev.lbkit.services.kit.Service;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The runner router (seed 000): a load balancer in front of sandbox runners that speaks their API.
 * New jobs go to the healthy runner with the lowest queue depth ({@link Runners}); every later
 * request of a job goes to the runner that took it ({@link JobTable}, persisted); completed results
 * are cached by (repo_url, branch, commit, path, weight_class) in memory and in SQLite ({@link
 * ResultCache}); a submit without a commit gets the branch head from {@code git ls-remote} ({@link
 * CommitResolver}); every route but health needs a key from {@code api_keys.json} ({@link
 * ApiKeys}). Runner calls go through the shared {@link HttpForwarder}.
 *
 * <p>{@link #start} starts it; {@link #close()} stops it gracefully and leaves no thread behind.
 */
final class RunnerRouter implements Service {

  private static final Duration EXPIRY_PERIOD = Duration.ofHours(1);

  private final RouterConfig config;
  private final JsonLog log;
  private final RouterStore store;
  private final HttpForwarder forwarder;
  private final Runners runners;
  private final CommitResolver commits;
  private final ResultCache cache;
  private final JobTable jobs;
  private final HttpService http;
  private final Scheduler expiryScheduler;
  private final ScheduledThreadPoolExecutor ownScheduler;
  private volatile Scheduler.Cancellable nextExpiry = () -> {};
  private volatile boolean closed;

  private RunnerRouter(RouterConfig config) throws Exception {
    this.config = config;
    this.log = config.log();
    this.store = RouterStore.open(config.cacheDir());
    try {
      ApiKeys keys = new ApiKeys(config.cacheDir().resolve("api_keys.json"), log);
      this.cache = new ResultCache(store, config.clock(), config.cacheTtl());
      this.jobs = new JobTable(store, config.clock(), config.cacheTtl());
      this.commits = new CommitResolver(config.gitTimeout());
      Runners[] holder = new Runners[1];
      this.forwarder =
          HttpForwarder.builder()
              .name("runner-router-forwarder")
              .maxConnectionsPerBackend(64)
              .responseTimeout(config.requestTimeout())
              .scheme(server -> holder[0] == null ? "http" : holder[0].scheme(server))
              .accessLog(
                  record ->
                      log.info("forward")
                          .field("method", record.method())
                          .field("path", record.path())
                          .field("runner", record.backend())
                          .field("status", record.status())
                          .latencyNanos(record.duration().toNanos())
                          .field("bytes", record.responseBytes())
                          .field("error", record.error())
                          .write())
              .build();
      this.runners =
          new Runners(
              config.runners(),
              forwarder,
              config.healthInterval(),
              config.requestTimeout(),
              config.healthScheduler(),
              log);
      holder[0] = runners;
      Auth auth = new Auth(keys, log);
      JobEndpoints jobRoutes =
          new JobEndpoints(runners, forwarder, cache, jobs, commits, config.requestTimeout(), log);
      StatusEndpoints statusRoutes =
          new StatusEndpoints(runners, cache, jobs, config.cacheTtl(), config.healthInterval());
      Routes.Builder routes =
          Routes.builder()
              .get("/health", statusRoutes::health)
              .get("/v1/health", statusRoutes::health)
              .post("/v1/jobs/submit", auth.required(jobRoutes::submit))
              .get("/v1/jobs/{job_id}", auth.required(jobRoutes::status))
              .get("/v1/jobs/{job_id}/metrics", auth.required(jobRoutes::metrics))
              .delete("/v1/jobs/{job_id}", auth.required(jobRoutes::cancel))
              .get("/v1/status", auth.required(statusRoutes::status))
              .get("/v1/stats", auth.required(statusRoutes::stats))
              .get("/v1/cache/entries", auth.required(statusRoutes::cacheEntries));
      for (String method : List.of("POST", "PUT", "PATCH")) {
        routes.stream(method, "/v1/jobs/{job_id}", auth.required(jobRoutes::forward));
      }
      for (String method : List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")) {
        for (String tail : List.of("/{a}", "/{a}/{b}", "/{a}/{b}/{c}")) {
          routes.stream(method, "/v1/jobs/{job_id}" + tail, auth.required(jobRoutes::forward));
        }
      }
      HttpService.Builder server =
          HttpService.builder("runner-router", routes.build())
              .port(config.port())
              .log(log)
              .onClose("runners", runners)
              .onClose("forwarder", forwarder)
              .onClose("git", commits)
              .onClose("expiry", this::stopExpiry)
              .onClose("store", store);
      if (config.host() != null) {
        server.host(config.host());
      }
      this.http = server.build();
      this.ownScheduler = new ScheduledThreadPoolExecutor(1, RunnerRouter::expiryThread);
      ownScheduler.setRemoveOnCancelPolicy(true);
      Scheduler given = config.expiryScheduler();
      this.expiryScheduler =
          given != null
              ? given
              : (task, delayNanos) -> {
                var future = ownScheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
              };
    } catch (Exception | Error e) {
      store.close();
      throw e;
    }
  }

  private static Thread expiryThread(Runnable task) {
    Thread thread = new Thread(task, "runner-router-expiry");
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Starts a router: opens the store, probes every runner once (so it routes from the first
   * request), starts the health checks, the hourly expiry and the HTTP server.
   *
   * @throws Exception if the store cannot be opened or the port is taken
   */
  static RunnerRouter start(RouterConfig config) throws Exception {
    RunnerRouter router = new RunnerRouter(config);
    try {
      router.runners.checkAll();
      router.runners.start();
      router.scheduleExpiry();
      router.http.start();
    } catch (Exception | Error e) {
      router.close();
      throw e;
    }
    router
        .log
        .info("started")
        .field("runners", config.runners().size())
        .field("healthy_runners", router.runners.healthyCount())
        .field("cache_dir", config.cacheDir().toString())
        .field("cache_ttl_days", config.cacheTtl().toDays())
        .field("health_check_interval_seconds", config.healthInterval().toSeconds())
        .write();
    return router;
  }

  private void scheduleExpiry() {
    if (!closed) {
      nextExpiry = expiryScheduler.schedule(this::expireAndReschedule, EXPIRY_PERIOD.toNanos());
    }
  }

  private void expireAndReschedule() {
    try {
      purgeExpired();
    } finally {
      scheduleExpiry();
    }
  }

  /** Deletes expired results and jobs now, as the hourly round does. */
  void purgeExpired() {
    try {
      int results = cache.purgeExpired();
      int forgotten = jobs.purgeExpired();
      (results + forgotten > 0 ? log.info("expired") : log.debug("expired"))
          .field("results", results)
          .field("jobs", forgotten)
          .write();
    } catch (java.sql.SQLException e) {
      log.warn("expiry_failed").exception(e).write();
    }
  }

  private void stopExpiry() {
    closed = true;
    nextExpiry.cancel();
    ownScheduler.shutdownNow();
  }

  /** Probes every runner now, as a health round does (tests on fake time call it). */
  void checkHealth() {
    runners.checkAll();
  }

  @Override
  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "RunnerRouter{port=" + port() + ", runners=" + config.runners() + "}";
  }
}
