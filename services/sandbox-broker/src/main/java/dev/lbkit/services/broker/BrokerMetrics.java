package dev.lbkit.services.broker;

import dev.lbkit.services.broker.store.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Every meter of seed 004, by its Prometheus name once Micrometer has rendered it:
 *
 * <ul>
 *   <li>counters {@code broker_allocate_total{outcome}}, {@code broker_allocate_conflicts_total},
 *       {@code broker_allocate_idempotent_hits_total}, {@code
 *       broker_deletion_marked_total{outcome}}, {@code broker_sync_total{outcome}}, {@code
 *       broker_sync_sandboxes_synced_total}, {@code broker_sync_sandboxes_stale_total}, {@code
 *       broker_cleanup_total{outcome}}, {@code broker_cleanup_deleted_total}, {@code
 *       broker_cleanup_failed_total}, {@code broker_expiry_total{outcome}}, {@code
 *       broker_expiry_marked_total}, {@code http_requests_total{method,endpoint,status}} (a
 *       Prometheus counter's samples always end in {@code _total}: the seed's Python client exposes
 *       {@code broker_allocate_conflicts} as {@code broker_allocate_conflicts_total} too);
 *   <li>gauges {@code broker_pool_available}, {@code broker_pool_allocated}, {@code
 *       broker_pool_pending_deletion}, {@code broker_pool_stale}, {@code broker_pool_total} (and
 *       {@code broker_pool_deletion_failed});
 *   <li>histograms {@code broker_allocation_latency_seconds{outcome}} and {@code
 *       broker_request_latency_seconds{method,endpoint}}, buckets from 5 ms to 2.5 s, dense around
 *       the 100 ms target;
 *   <li>beyond the seed: {@code broker_csp_circuit_breaker_state} (0 closed, 1 open, 2 half open)
 *       and {@code broker_job_last_run_timestamp_seconds{job}}.
 * </ul>
 *
 * Labels carry outcomes, methods and route templates only, never a track, key or token.
 */
public final class BrokerMetrics {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(75),
    Duration.ofMillis(100),
    Duration.ofMillis(150),
    Duration.ofMillis(250),
    Duration.ofMillis(300),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500)
  };

  private final PrometheusMeterRegistry registry;
  private final Counter conflicts;
  private final Counter idempotentHits;
  private final Counter syncSynced;
  private final Counter syncStale;
  private final Counter cleanupDeleted;
  private final Counter cleanupFailed;
  private final Counter expiryMarked;
  private final Map<Status, AtomicLong> pool = new EnumMap<>(Status.class);
  private final Map<String, AtomicLong> lastRuns = new ConcurrentHashMap<>();

  /** Creates the meters in a new Prometheus registry. */
  public BrokerMetrics(DoubleSupplier breakerState) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    conflicts = counter("broker.allocate.conflicts", "Lost claims during K-candidate allocation");
    idempotentHits =
        counter("broker.allocate.idempotent.hits", "Allocations answered with the track's sandbox");
    syncSynced = counter("broker.sync.sandboxes.synced", "Sandboxes added by the sync job");
    syncStale = counter("broker.sync.sandboxes.stale", "Sandboxes marked stale by the sync job");
    cleanupDeleted = counter("broker.cleanup.deleted", "Sandboxes deleted in the CSP");
    cleanupFailed = counter("broker.cleanup.failed", "Failed CSP deletions");
    expiryMarked = counter("broker.expiry.marked", "Allocations expired to pending_deletion");
    for (Status status : Status.values()) {
      AtomicLong value = new AtomicLong();
      pool.put(status, value);
      Gauge.builder("broker.pool." + status.label().replace('_', '.'), value, AtomicLong::get)
          .description("Sandboxes " + status.label())
          .strongReference(true)
          .register(registry);
    }
    Gauge.builder("broker.csp.circuit.breaker.state", breakerState, DoubleSupplier::getAsDouble)
        .description("The CSP circuit breaker: 0 closed, 1 open, 2 half open")
        .strongReference(true)
        .register(registry);
    for (String job : new String[] {"sync", "cleanup", "expiry"}) {
      AtomicLong value = new AtomicLong();
      lastRuns.put(job, value);
      Gauge.builder("broker.job.last.run.timestamp", value, v -> v.get() / 1000.0)
          .description("When the job last ran, epoch seconds (0: never)")
          .baseUnit("seconds")
          .tag("job", job)
          .strongReference(true)
          .register(registry);
    }
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  private Counter counter(String name, String tag, String value) {
    return Counter.builder(name).tag(tag, value).register(registry);
  }

  /** Returns the registry. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Returns the Prometheus text exposition. {@code broker_pool_total} is written here, after
   * Micrometer's meters: Micrometer's Prometheus client strips a {@code _total} suffix from any
   * meter that is not a counter, so a gauge of that name cannot be registered.
   */
  public String scrape() {
    return registry.scrape()
        + "# HELP broker_pool_total Sandboxes in the pool, every state\n"
        + "# TYPE broker_pool_total gauge\n"
        + "broker_pool_total "
        + (double) poolTotal()
        + "\n";
  }

  void allocation(String outcome, long nanos) {
    counter("broker.allocate", "outcome", outcome).increment();
    Timer.builder("broker.allocation.latency")
        .description("Sandbox allocation latency, by outcome")
        .tag("outcome", outcome)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  void conflicts(int n) {
    if (n > 0) {
      conflicts.increment(n);
    }
  }

  void idempotentHit() {
    idempotentHits.increment();
  }

  void deletionMarked(String outcome) {
    counter("broker.deletion.marked", "outcome", outcome).increment();
  }

  /** Counts one sync run. */
  public void sync(String outcome, int added, int staled) {
    counter("broker.sync", "outcome", outcome).increment();
    syncSynced.increment(added);
    syncStale.increment(staled);
  }

  /** Counts one cleanup run. */
  public void cleanup(String outcome, int deleted, int failed) {
    counter("broker.cleanup", "outcome", outcome).increment();
    cleanupDeleted.increment(deleted);
    cleanupFailed.increment(failed);
  }

  /** Counts one expiry run. */
  public void expiry(String outcome, int marked) {
    counter("broker.expiry", "outcome", outcome).increment();
    expiryMarked.increment(marked);
  }

  /** Records that {@code job} ran at {@code millis}. */
  public void jobRan(String job, long millis) {
    AtomicLong value = lastRuns.get(job);
    if (value != null) {
      value.set(millis);
    }
  }

  void request(String method, String route, int status, long nanos) {
    Counter.builder("http.requests")
        .tag("method", method)
        .tag("endpoint", route)
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
    Timer.builder("broker.request.latency")
        .description("HTTP request latency, by method and route")
        .tag("method", method)
        .tag("endpoint", route)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** Sets the pool gauges from the store's counts. */
  public void pool(Map<Status, Long> counts) {
    counts.forEach((status, n) -> Objects.requireNonNull(pool.get(status)).set(n));
  }

  private long poolTotal() {
    long total = 0;
    for (AtomicLong n : pool.values()) {
      total += n.get();
    }
    return total;
  }
}
