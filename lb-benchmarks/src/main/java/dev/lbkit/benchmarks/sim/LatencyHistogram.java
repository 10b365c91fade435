package dev.lbkit.benchmarks.sim;

/**
 * Latencies of a run in log-linear buckets, as HdrHistogram keeps them: values below 2,048 ns
 * exactly, larger ones in buckets 1/1,024 of their power of two wide, so a percentile read from it
 * is within 0.05% of the exact one (it reports the middle of its bucket). Constant memory (about
 * 450 KB) and O(1) per value, whatever the length of the run; the mean, minimum and maximum are
 * exact. Single-threaded.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 10;
  private static final int SUB = 1 << SUB_BITS; // 1,024 buckets per power of two
  private static final int BUCKETS = (64 - SUB_BITS) * SUB + SUB;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long successes;
  private double sumNanos;
  private long min = Long.MAX_VALUE;
  private long max;
  private long refused;

  /**
   * Records one answered request of {@code latencyNanos}; it is a success if {@code success}.
   *
   * @throws IllegalArgumentException if {@code latencyNanos} is negative
   */
  void record(long latencyNanos, boolean success) {
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " (expected: >= 0)");
    }
    counts[index(latencyNanos)]++;
    total++;
    if (success) {
      successes++;
    }
    sumNanos += latencyNanos;
    min = Math.min(min, latencyNanos);
    max = Math.max(max, latencyNanos);
  }

  /** Records a request refused by a full server: a failure with no latency. */
  void refuse() {
    refused++;
  }

  static int index(long value) {
    if (value < 2L * SUB) {
      return (int) value;
    }
    int magnitude = 63 - Long.numberOfLeadingZeros(value); // >= SUB_BITS + 1
    int shift = magnitude - SUB_BITS;
    return (shift + 1) * SUB + (int) ((value >>> shift) & (SUB - 1));
  }

  /** The smallest value of bucket {@code index}. */
  static long lowest(int index) {
    if (index < 2 * SUB) {
      return index;
    }
    int shift = index / SUB - 1;
    long mantissa = (long) SUB + index % SUB;
    return mantissa << shift;
  }

  /** The width of bucket {@code index}. */
  static long width(int index) {
    return index < 2 * SUB ? 1 : 1L << (index / SUB - 1);
  }

  /** Returns the summary; an empty histogram has zero percentiles. */
  LatencySummary summary() {
    if (total == 0) {
      return new LatencySummary(0, 0, refused, 0, 0, 0, 0, 0, 0);
    }
    return new LatencySummary(
        total,
        successes,
        refused,
        sumNanos / total,
        percentile(0.5),
        percentile(0.9),
        percentile(0.99),
        percentile(0.999),
        max);
  }

  /**
   * The nearest-rank percentile {@code p}: the value of rank ceil(total p), as the middle of its
   * bucket (exact below 2,048 ns), never outside the minimum and maximum seen.
   */
  double percentile(double p) {
    long rank = Math.max(1, (long) Math.ceil(total * p - 1e-9));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        long width = width(i);
        double low = (double) lowest(i);
        double middle = width == 1 ? low : low + (double) (width - 1) / 2;
        return Math.min((double) max, Math.max((double) min, middle));
      }
    }
    return max;
  }
}
