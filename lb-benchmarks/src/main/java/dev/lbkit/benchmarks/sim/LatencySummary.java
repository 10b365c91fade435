package dev.lbkit.benchmarks.sim;

/**
 * The exact latency percentiles of one run and how many of its requests succeeded. Percentiles are
 * nearest-rank: the p-th percentile of n sorted latencies is the one at rank {@code ceil(n * p)}
 * (1-based), a latency that occurred, computed in integer arithmetic.
 *
 * @param requests how many requests completed
 * @param successes how many of them completed within the scenario's success bound
 * @param p50Nanos the median
 * @param p99Nanos the 99th percentile
 * @param p999Nanos the 99.9th percentile
 * @param maxNanos the largest latency
 */
record LatencySummary(
    int requests, int successes, long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos) {

  /**
   * Summarizes {@code sorted}, latencies in ascending order.
   *
   * @throws IllegalArgumentException if {@code sorted} is empty
   */
  static LatencySummary of(long[] sorted, long successNanos) {
    int n = sorted.length;
    if (n == 0) {
      throw new IllegalArgumentException("latencies: [] (expected: at least one)");
    }
    int successes = 0;
    while (successes < n && sorted[successes] <= successNanos) {
      successes++;
    }
    return new LatencySummary(
        n,
        successes,
        perMille(sorted, 500),
        perMille(sorted, 990),
        perMille(sorted, 999),
        sorted[n - 1]);
  }

  /** The nearest-rank percentile {@code perMille / 10} of {@code sorted}, which is not empty. */
  static long perMille(long[] sorted, int perMille) {
    long n = sorted.length;
    long rank = (n * perMille + 999) / 1000; // ceil(n * perMille / 1000), exactly
    return sorted[(int) Math.max(rank, 1) - 1];
  }

  /** Returns the share of requests that succeeded, from 0 to 1. */
  double successRate() {
    return (double) successes / requests;
  }
}
