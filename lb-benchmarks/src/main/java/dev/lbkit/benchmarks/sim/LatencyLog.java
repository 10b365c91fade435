package dev.lbkit.benchmarks.sim;

import java.util.Arrays;

/**
 * Every latency of a run, kept whole so that percentiles are exact: an array of longs that grows by
 * half when full, sorted once when {@linkplain #summarize summarized}. 8 bytes per request (about
 * 10 MB for the 1.2 million requests of a 2,000-second run at 600 a second).
 */
final class LatencyLog {

  private long[] nanos;
  private int size;

  /** Creates a log with room for about {@code expected} latencies before it grows. */
  LatencyLog(int expected) {
    this.nanos = new long[Math.max(16, expected)];
  }

  /**
   * Records one latency.
   *
   * @throws IllegalArgumentException if {@code latencyNanos} is negative
   */
  void add(long latencyNanos) {
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " (expected: >= 0)");
    }
    if (size == nanos.length) {
      nanos = Arrays.copyOf(nanos, size + (size >> 1));
    }
    nanos[size++] = latencyNanos;
  }

  /** Returns how many latencies were recorded. */
  int size() {
    return size;
  }

  /**
   * Returns the exact percentiles of the latencies recorded, counting as a success every latency of
   * at most {@code successNanos}.
   */
  LatencySummary summarize(long successNanos) {
    long[] sorted = Arrays.copyOf(nanos, size);
    Arrays.sort(sorted);
    return LatencySummary.of(sorted, successNanos);
  }
}
