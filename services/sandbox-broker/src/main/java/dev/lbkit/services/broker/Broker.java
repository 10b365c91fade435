package dev.lbkit.services.broker;

import dev.lbkit.core.RandomSources;
import dev.lbkit.services.broker.csp.CspClient;
import dev.lbkit.services.broker.csp.GuardedCsp;
import dev.lbkit.services.broker.csp.HttpCsp;
import dev.lbkit.services.broker.csp.MockCsp;
import dev.lbkit.services.broker.jobs.CleanupJob;
import dev.lbkit.services.broker.jobs.ExpiryJob;
import dev.lbkit.services.broker.jobs.JobContext;
import dev.lbkit.services.broker.jobs.JobScheduler;
import dev.lbkit.services.broker.jobs.SyncJob;
import dev.lbkit.services.broker.store.Database;
import dev.lbkit.services.broker.store.Migrations;
import dev.lbkit.services.broker.store.SandboxStore;
import dev.lbkit.services.kit.HttpService;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.ParsedOptions;
import dev.lbkit.services.kit.Service;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;

/**
 * One broker instance: store, CSP, jobs and HTTP API, started together and closed in order (stop
 * accepting and finish requests, stop the jobs, close the store).
 */
public final class Broker implements Service {
  private static final String NAME = "sandbox-broker";

  private final HttpService http;
  private final SandboxStore store;
  private final BrokerMetrics metrics;
  private final SyncJob sync;
  private final CleanupJob cleanup;
  private final ExpiryJob expiry;
  private final GuardedCsp csp;

  private Broker(
      HttpService http,
      SandboxStore store,
      BrokerMetrics metrics,
      SyncJob sync,
      CleanupJob cleanup,
      ExpiryJob expiry,
      GuardedCsp csp) {
    this.http = http;
    this.store = store;
    this.metrics = metrics;
    this.sync = sync;
    this.cleanup = cleanup;
    this.expiry = expiry;
    this.csp = csp;
  }

  /** Starts a broker from its options, on the system's time, jobs scheduled: what main does. */
  @SuppressWarnings("SystemOut") // generated tokens are shown once on the terminal
  public static Broker start(ParsedOptions options) throws Exception {
    BrokerOptions.Config config = BrokerOptions.config(options);
    return start(config, Setup.production(config));
  }

  /** What a test may replace: time, the CSP, the log, where tokens are printed, the jobs' timer. */
  public record Setup(
      BrokerTime time, CspClient csp, JsonLog log, PrintStream tokensOut, boolean scheduleJobs) {

    /** The production setup of {@code config}. */
    @SuppressWarnings("SystemOut")
    public static Setup production(BrokerOptions.Config config) {
      String url = config.cspUrl();
      CspClient csp =
          url != null ? new HttpCsp(url, config.cspToken()) : new MockCsp(config.mockSandboxes());
      return new Setup(BrokerTime.system(), csp, JsonLog.stdout(NAME), System.out, true);
    }
  }

  /** Starts a broker of {@code config} with {@code setup}. */
  public static Broker start(BrokerOptions.Config config, Setup setup) throws Exception {
    Objects.requireNonNull(config, "config");
    JsonLog log = setup.log();
    BrokerTime time = setup.time();
    Database db = Database.open(config.db(), config.dbPoolSize());
    try {
      int applied = Migrations.migrate(db, time.millis());
      log.info("migrate").outcome("success").field("applied", applied).write();
      SandboxStore store = new SandboxStore(db);
      BrokerAuth auth =
          BrokerAuth.load(
              store, config.adminToken(), config.trackTokens(), time.millis(), setup.tokensOut());
      GuardedCsp csp =
          new GuardedCsp(setup.csp(), config.cspAttempts(), config.cspFirstRetryWait());
      BrokerMetrics metrics = new BrokerMetrics(csp::stateCode);
      Allocator allocator =
          new Allocator(store, config.candidates(), time, RandomSources.threadLocal(), metrics);
      JobContext context = new JobContext(store, csp, time, metrics, log);
      SyncJob sync = new SyncJob(context);
      CleanupJob cleanup =
          new CleanupJob(
              context, config.maxDeletionAttempts(), Duration.ofMinutes(1), allocator::forget);
      ExpiryJob expiry = new ExpiryJob(context, config.leaseTtl());
      sync.run(); // a fresh store gets its pool before the first request
      JobScheduler jobs = new JobScheduler(log);
      if (setup.scheduleJobs()) {
        jobs.every(sync, config.syncInterval(), config.syncInterval());
        jobs.every(expiry, config.cleanupInterval(), config.cleanupInterval());
        jobs.every(cleanup, config.cleanupInterval(), config.cleanupInterval());
      }
      BrokerApi api =
          new BrokerApi(
              store,
              db,
              allocator,
              auth,
              new TrackRateLimits(config.trackRateLimit(), time.ticker()),
              metrics,
              time,
              sync,
              cleanup,
              config.leaseTtl(),
              csp::state);
      HttpService http =
          HttpService.builder(NAME, api.routes())
              .port(config.port())
              .maxBodyBytes(64 * 1024)
              .log(log)
              .observer(metrics::request)
              .corsOrigins(config.corsOrigins())
              .onClose("jobs", jobs)
              .onClose("store", db)
              .build();
      Broker broker = new Broker(http, store, metrics, sync, cleanup, expiry, csp);
      try {
        http.start();
      } catch (Exception e) {
        http.close();
        throw e;
      }
      return broker;
    } catch (Exception | Error e) {
      db.close();
      throw e;
    }
  }

  @Override
  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.close();
  }

  /** Returns the store (tests check it). */
  public SandboxStore store() {
    return store;
  }

  /** Returns the meters. */
  public BrokerMetrics metrics() {
    return metrics;
  }

  /** Returns the sync job (tests run it on fake time). */
  public SyncJob syncJob() {
    return sync;
  }

  /** Returns the cleanup job. */
  public CleanupJob cleanupJob() {
    return cleanup;
  }

  /** Returns the expiry job. */
  public ExpiryJob expiryJob() {
    return expiry;
  }

  /** Returns the guarded CSP (its breaker). */
  public GuardedCsp csp() {
    return csp;
  }
}
