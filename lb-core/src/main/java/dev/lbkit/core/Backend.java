package dev.lbkit.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/** What one {@link LoadBalancer} keeps about one of its servers: limits, drain state, counters. */
final class Backend {

  final Server server;

  /** {@code Optional.of(server)}, made once so that routing allocates nothing. */
  final Optional<Server> asOptional;

  final @Nullable TokenBucket rateLimit;
  final String cookieValue;
  final LongAdder requests = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LatencyHistogram latency = new LatencyHistogram();
  final CompletableFuture<Void> drained = new CompletableFuture<>();
  volatile boolean draining;

  Backend(Server server, @Nullable TokenBucket rateLimit) {
    this.server = server;
    this.asOptional = Optional.of(server);
    this.rateLimit = rateLimit;
    this.cookieValue = SessionAffinity.cookieValue(server);
  }

  /** Records a closed lease. */
  void recordLease(long nanos, boolean failed) {
    completed.increment();
    if (failed) {
      errors.increment();
    }
    latency.record(nanos);
  }

  ServerStats stats() {
    LatencyHistogram.Summary summary = latency.summary();
    return new ServerStats(
        server.id(),
        server.isHealthy(),
        draining,
        requests.sum(),
        server.activeConnections(),
        completed.sum(),
        errors.sum(),
        Duration.ofNanos(summary.p50()),
        Duration.ofNanos(summary.p99()),
        Duration.ofNanos(summary.max()));
  }
}
