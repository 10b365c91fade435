package dev.lbkit.examples.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The broker's meters, named as seed 004 names them once Micrometer has rendered them for
 * Prometheus: {@code broker_allocate_total{outcome}}, {@code
 * broker_allocation_latency_seconds{outcome}} (a histogram), {@code broker_deletion_marked_total},
 * {@code broker_expiry_marked_total} and the gauges {@code broker_pool_size} (the seed's {@code
 * broker_pool_total}: Micrometer keeps the {@code _total} suffix for counters), {@code
 * broker_pool_available}, {@code broker_pool_allocated}, {@code broker_pool_unhealthy}. Labels
 * carry outcomes only, never a track, key or token.
 */
final class BrokerMetrics {

  /** How an allocation request ended: the {@code outcome} label. */
  enum Outcome {
    SUCCESS("success"),
    IDEMPOTENT("idempotent"),
    NO_SANDBOXES("no_sandboxes");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  /** Latency buckets, as the seed's (10 ms to 1 s), with finer ones below: this pool is local. */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1)
  };

  private final Map<Outcome, Counter> allocations = new EnumMap<>(Outcome.class);
  private final Map<Outcome, Timer> latencies = new EnumMap<>(Outcome.class);
  private final Counter deletions;
  private final Counter expiries;

  BrokerMetrics(MeterRegistry registry, SandboxBroker broker) {
    Objects.requireNonNull(registry, "registry");
    for (Outcome outcome : Outcome.values()) {
      allocations.put(
          outcome,
          Counter.builder("broker.allocate")
              .description("Sandbox allocation requests, by outcome")
              .tag("outcome", outcome.label)
              .register(registry));
      latencies.put(
          outcome,
          Timer.builder("broker.allocation.latency")
              .description("Sandbox allocation latency, by outcome")
              .tag("outcome", outcome.label)
              .serviceLevelObjectives(BUCKETS)
              .register(registry));
    }
    deletions =
        Counter.builder("broker.deletion.marked")
            .description("Sandboxes released by markForDeletion")
            .register(registry);
    expiries =
        Counter.builder("broker.expiry.marked")
            .description("Allocations expired after their TTL")
            .register(registry);
    gauge(registry, "broker.pool.size", "Sandboxes in the pool", broker, b -> b.size());
    gauge(
        registry,
        "broker.pool.available",
        "Healthy sandboxes free to allocate",
        broker,
        SandboxBroker::available);
    gauge(
        registry,
        "broker.pool.allocated",
        "Sandboxes allocated to a track",
        broker,
        SandboxBroker::allocated);
    gauge(
        registry,
        "broker.pool.unhealthy",
        "Sandboxes whose server is unhealthy",
        broker,
        b -> b.size() - b.healthy());
  }

  private static void gauge(
      MeterRegistry registry,
      String name,
      String description,
      SandboxBroker broker,
      ToDoubleFunction<SandboxBroker> value) {
    Gauge.builder(name, broker, value)
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  void allocation(Outcome outcome, long nanos) {
    Objects.requireNonNull(allocations.get(outcome)).increment();
    Objects.requireNonNull(latencies.get(outcome)).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  void deleted() {
    deletions.increment();
  }

  void expired() {
    expiries.increment();
  }
}
