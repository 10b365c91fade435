package dev.lbkit.benchmarks.sim;

/**
 * The latencies of the requests one run measured: percentiles (nearest rank, read from a histogram
 * whose buckets are 1/1,024 of a power of two wide, so within 0.05% of the exact value), the exact
 * mean and maximum, and how many requests succeeded.
 *
 * @param answered how many measured requests were answered
 * @param successes how many of them were answered within the simulation's success bound
 * @param refused how many were refused by a server at its queue limit (failures, no latency)
 * @param meanNanos the mean latency of the answered requests
 * @param p50Nanos the median latency
 * @param p90Nanos the 90th percentile
 * @param p99Nanos the 99th percentile
 * @param p999Nanos the 99.9th percentile
 * @param maxNanos the largest latency
 */
public record LatencySummary(
    long answered,
    long successes,
    long refused,
    double meanNanos,
    double p50Nanos,
    double p90Nanos,
    double p99Nanos,
    double p999Nanos,
    long maxNanos) {

  /** Returns the share of requests (answered or refused) that succeeded, 1 when there were none. */
  public double successRate() {
    long all = answered + refused;
    return all == 0 ? 1 : (double) successes / all;
  }
}
