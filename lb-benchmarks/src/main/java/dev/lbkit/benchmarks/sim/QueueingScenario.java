package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Scenario B, heterogeneous queues: 10 backends, each a single server with a FIFO queue and
 * exponential service times, nine with a mean of 10 ms and backend 0 with 15 ms (total capacity
 * about 967 requests/s), under Poisson arrivals at 600 requests/s (62% of capacity). A request's
 * latency is its wait in the queue plus its service; a call is in flight (counted by least
 * connections) from routing to completion, queued or served.
 */
final class QueueingScenario extends Scenario {

  static final long FAST_MEAN_NANOS = 10_000_000L;
  static final long SLOW_MEAN_NANOS = 15_000_000L;

  /** Creates the scenario with requests arriving for {@code duration}. */
  QueueingScenario(Duration duration, int seeds) {
    super(
        "B",
        "10 FIFO queues, one 1.5x slower, 62% load",
        10,
        600,
        duration,
        Duration.ofSeconds(1),
        seeds);
  }

  /** The scenario as specified: 2,000 s, averaged over 5 seeds. */
  static QueueingScenario published() {
    return new QueueingScenario(Duration.ofSeconds(2_000), 5);
  }

  @Override
  String definition() {
    return String.format(
        "10 backends, each one server with a FIFO queue and exponential service times: nine with"
            + " a mean of 10 ms, backend 0 with 15 ms (capacity about 967 requests/s). Poisson"
            + " arrivals at 600 requests/s (62%% of capacity) for %s. Latency is queueing plus"
            + " service. Success: answered within 1 s. A reference simulation of this setup gave"
            + " p99 of about 190 ms for round robin, 53 ms for least loaded and 68 ms for P2C.",
        Durations.format(duration()));
  }

  /** A standard exponential draw: the request's service time in units of the backend's mean. */
  @Override
  double drawWork(RandomGenerator random) {
    return random.nextExponential();
  }

  @Override
  Backends newBackends() {
    long[] busyUntil = new long[backends()];
    return (backend, arrival, work) -> {
      long mean = backend == 0 ? SLOW_MEAN_NANOS : FAST_MEAN_NANOS;
      long start = Math.max(arrival, busyUntil[backend]);
      long done = start + Math.round(mean * work);
      busyUntil[backend] = done;
      return done;
    };
  }
}
