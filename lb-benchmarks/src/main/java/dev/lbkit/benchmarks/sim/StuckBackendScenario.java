package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Scenario A, Linkerd's experiment ("Beyond Round Robin: Load Balancing for Latency", 2016): 11
 * backends that each answer in N(167 ms, 5 ms) whatever their load (infinite servers, not queues),
 * except that backend 0 answers in exactly 2 s to the requests that reach it in the middle half of
 * the run. Success: answered within 1 s.
 */
final class StuckBackendScenario extends Scenario {

  static final long MEAN_NANOS = 167_000_000L;
  static final long SIGMA_NANOS = 5_000_000L;
  static final long STUCK_NANOS = 2_000_000_000L;

  private final long stuckFrom;
  private final long stuckUntil;

  /**
   * Creates the scenario with requests arriving for {@code duration} and backend 0 stuck from a
   * quarter of it to three quarters (15 s to 45 s of 60 s).
   */
  StuckBackendScenario(Duration duration, int seeds) {
    super(
        "A", "one of 11 backends stuck at 2 s", 11, 1_000, duration, Duration.ofSeconds(1), seeds);
    long total = duration.toNanos();
    this.stuckFrom = total / 4;
    this.stuckUntil = total / 4 * 3;
  }

  /** The experiment as published: 60 s, averaged over 5 seeds. */
  static StuckBackendScenario published() {
    return new StuckBackendScenario(Duration.ofSeconds(60), 5);
  }

  @Override
  String definition() {
    return String.format(
        "11 backends, each answering in N(167 ms, 5 ms) (truncated at 1 ns, which never happens at"
            + " 33 sigma) whatever its load: infinite servers, no queue. Poisson arrivals at 1,000"
            + " requests/s for %s. Backend 0 answers in exactly 2 s every request that reaches it"
            + " from %s to %s. Success: answered within 1 s. Linkerd's published result: round"
            + " robin about 95%%, least loaded about 99%%, peak EWMA about 99.9%%.",
        Durations.format(duration()),
        Durations.format(Duration.ofNanos(stuckFrom)),
        Durations.format(Duration.ofNanos(stuckUntil)));
  }

  /** A standard normal draw: the request's deviation from the mean latency, in sigmas. */
  @Override
  double drawWork(RandomGenerator random) {
    return random.nextGaussian();
  }

  @Override
  Backends newBackends() {
    return (backend, arrival, work) -> {
      if (backend == 0 && arrival >= stuckFrom && arrival < stuckUntil) {
        return arrival + STUCK_NANOS;
      }
      return arrival + Math.max(1L, Math.round(MEAN_NANOS + SIGMA_NANOS * work));
    };
  }
}
