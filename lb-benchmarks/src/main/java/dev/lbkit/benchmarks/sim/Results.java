package dev.lbkit.benchmarks.sim;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * One policy's runs of one simulation over several seeds, with each figure's mean, minimum and
 * maximum across them.
 *
 * <pre>{@code
 * Results r = simulation.run(5);
 * r.p99().mean();          // nanoseconds
 * r.of(x -> x.latency().p999Nanos()).max();
 * }</pre>
 */
public final class Results {

  /**
   * A figure across seeds.
   *
   * @param mean the mean over the seeds
   * @param min the lowest seed's
   * @param max the highest seed's
   */
  public record Spread(double mean, double min, double max) {}

  private final Simulation simulation;
  private final List<RunResult> runs;

  Results(Simulation simulation, List<RunResult> runs) {
    this.simulation = Objects.requireNonNull(simulation, "simulation");
    this.runs = List.copyOf(runs);
    if (this.runs.isEmpty()) {
      throw new IllegalArgumentException("runs: [] (expected: at least one)");
    }
  }

  /** The simulation that ran. */
  public Simulation simulation() {
    return simulation;
  }

  /** Each seed's result, in seed order. */
  public List<RunResult> runs() {
    return runs;
  }

  /** The spread of {@code figure} across the seeds. */
  public Spread of(ToDoubleFunction<RunResult> figure) {
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (RunResult r : runs) {
      double v = figure.applyAsDouble(r);
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return new Spread(sum / runs.size(), min, max);
  }

  /** The median latency, nanoseconds. */
  public Spread p50() {
    return of(r -> r.latency().p50Nanos());
  }

  /** The 90th percentile, nanoseconds. */
  public Spread p90() {
    return of(r -> r.latency().p90Nanos());
  }

  /** The 99th percentile, nanoseconds. */
  public Spread p99() {
    return of(r -> r.latency().p99Nanos());
  }

  /** The 99.9th percentile, nanoseconds. */
  public Spread p999() {
    return of(r -> r.latency().p999Nanos());
  }

  /** The mean latency, nanoseconds. */
  public Spread mean() {
    return of(r -> r.latency().meanNanos());
  }

  /** The success rate, 0 to 1. */
  public Spread successRate() {
    return of(r -> r.latency().successRate());
  }

  /** The 99th percentile of the window's requests, nanoseconds (NaN without a window). */
  public Spread windowP99() {
    return of(
        r -> {
          LatencySummary window = r.window();
          return window == null ? Double.NaN : window.p99Nanos();
        });
  }

  /** Server {@code i}'s utilization. */
  public Spread utilization(int i) {
    return of(r -> r.utilization(i));
  }

  /** The measured requests of all seeds together, answered or refused. */
  public long requests() {
    long n = 0;
    for (RunResult r : runs) {
      n += r.latency().answered() + r.latency().refused();
    }
    return n;
  }
}
