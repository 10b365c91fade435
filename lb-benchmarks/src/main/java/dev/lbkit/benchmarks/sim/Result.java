package dev.lbkit.benchmarks.sim;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What one algorithm did on one scenario: one summary per seed, and their means. Percentiles and
 * success rates are averaged over seeds (the mean of the per-seed values).
 */
record Result(Scenario scenario, Policy policy, List<LatencySummary> runs) {

  Result {
    runs = List.copyOf(runs);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("runs: [] (expected: at least one)");
    }
  }

  double p50Nanos() {
    return mean(LatencySummary::p50Nanos);
  }

  double p99Nanos() {
    return mean(LatencySummary::p99Nanos);
  }

  double p999Nanos() {
    return mean(LatencySummary::p999Nanos);
  }

  /** The mean success rate, from 0 to 1. */
  double successRate() {
    return mean(LatencySummary::successRate);
  }

  /** The lowest per-seed p99. */
  long minP99Nanos() {
    return runs.stream().mapToLong(LatencySummary::p99Nanos).min().orElseThrow();
  }

  /** The highest per-seed p99. */
  long maxP99Nanos() {
    return runs.stream().mapToLong(LatencySummary::p99Nanos).max().orElseThrow();
  }

  /** The requests of all seeds together. */
  long requests() {
    return runs.stream().mapToLong(LatencySummary::requests).sum();
  }

  private double mean(ToDoubleFunction<LatencySummary> value) {
    return runs.stream().mapToDouble(value).average().orElseThrow();
  }
}
