package dev.lbkit.benchmarks.sim;

import java.time.Duration;

/**
 * The supermarket model as a {@link Simulation}: {@code servers} single-core FIFO servers with
 * exponential service of mean 1 s (the time unit), Poisson arrivals at {@code lambda} x {@code
 * servers} a second, each to the shortest of {@code choices} queues sampled uniformly ({@link
 * Policy#shortestOf}), {@link Integer#MAX_VALUE} choices being join-the-shortest-queue. One client:
 * the rule reads the true queues.
 */
public final class Supermarket {

  /** The unit of time: one mean service time. */
  public static final Duration UNIT = Duration.ofSeconds(1);

  private Supermarket() {}

  /**
   * The simulation, run for {@code seconds} of which the first {@code warmup} are not measured.
   *
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static Simulation of(
      int servers, double lambda, int choices, Duration seconds, Duration warmup) {
    if (servers < 1) {
      throw new IllegalArgumentException("servers: " + servers + " (expected: >= 1)");
    }
    if (!(lambda > 0 && lambda < 1)) {
      throw new IllegalArgumentException("lambda: " + lambda + " (expected: in (0, 1))");
    }
    return Simulation.builder()
        .fleet(Fleet.of(servers, ServerSpec.fifo(ServiceTime.exponential(UNIT))))
        .arrivals(Arrivals.poisson(lambda * servers))
        .policy(Policy.shortestOf(choices))
        .duration(seconds)
        .warmup(warmup)
        .build();
  }
}
