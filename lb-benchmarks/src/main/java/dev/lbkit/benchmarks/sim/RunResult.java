package dev.lbkit.benchmarks.sim;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * What one run measured: the latencies of the requests that arrived after the warm-up, those of the
 * simulation's window if it has one, each server's utilization, and how many events ran.
 */
public final class RunResult {

  private final long seed;
  private final LatencySummary latency;
  private final @Nullable LatencySummary window;
  private final double[] utilization;
  private final long events;

  RunResult(
      long seed,
      LatencySummary latency,
      @Nullable LatencySummary window,
      double[] utilization,
      long events) {
    this.seed = seed;
    this.latency = latency;
    this.window = window;
    this.utilization = utilization.clone();
    this.events = events;
  }

  /** The seed of the run. */
  public long seed() {
    return seed;
  }

  /** Every measured request: those that arrived from the end of the warm-up to the end. */
  public LatencySummary latency() {
    return latency;
  }

  /**
   * The requests of the simulation's {@linkplain Simulation.Builder#window window}, or null if it
   * has none.
   */
  public @Nullable LatencySummary window() {
    return window;
  }

  /**
   * Server {@code i}'s utilization over the measured time: the mean share of its cores busy (NaN
   * for a server with unlimited cores).
   */
  public double utilization(int i) {
    return utilization[i];
  }

  /** Every server's utilization, in fleet order. */
  public double[] utilizations() {
    return utilization.clone();
  }

  /** How many events the run processed (arrivals, completions, speed changes, timers). */
  public long events() {
    return events;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RunResult r
        && seed == r.seed
        && latency.equals(r.latency)
        && java.util.Objects.equals(window, r.window)
        && Arrays.equals(utilization, r.utilization)
        && events == r.events;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seed) * 31 + latency.hashCode();
  }

  @Override
  public String toString() {
    return "RunResult[seed "
        + seed
        + ", "
        + latency
        + (window == null ? "" : ", window " + window)
        + "]";
  }
}
