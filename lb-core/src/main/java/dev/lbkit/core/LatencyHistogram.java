package dev.lbkit.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A concurrent histogram of durations in nanoseconds, log-linear like HdrHistogram with one
 * significant hex digit: values below 16 ns have a bucket each; above, each power of two is split
 * into 16 buckets, so a percentile read from it is at most 6.25% above the true value. Recording is
 * two atomic adds and a max update, allocation-free, from any number of threads; reading walks the
 * ~1,000 buckets.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 4;
  private static final int SUB_COUNT = 1 << SUB_BITS;
  private static final int BUCKETS = (64 - SUB_BITS) * SUB_COUNT;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong max = new AtomicLong();

  /** Records one duration; negative durations (a ticker going backwards) count as 0. */
  void record(long nanos) {
    long value = Math.max(0, nanos);
    counts.getAndIncrement(bucketOf(value));
    long seen = max.get();
    while (value > seen && !max.compareAndSet(seen, value)) {
      seen = max.get();
    }
  }

  /** Returns the bucket index of {@code value >= 0}. */
  static int bucketOf(long value) {
    if (value < SUB_COUNT) {
      return (int) value;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(value); // >= SUB_BITS
    int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB_COUNT - 1);
    return (exponent - SUB_BITS + 1) * SUB_COUNT + sub;
  }

  /** Returns the largest value that falls into bucket {@code index}. */
  static long upperBoundOf(int index) {
    if (index < SUB_COUNT) {
      return index;
    }
    int exponent = index / SUB_COUNT + SUB_BITS - 1;
    long sub = index % SUB_COUNT;
    long lower = (SUB_COUNT + sub) << (exponent - SUB_BITS);
    return lower + (1L << (exponent - SUB_BITS)) - 1;
  }

  /** Returns an immutable summary of what was recorded so far. */
  Summary summary() {
    long[] snapshot = new long[BUCKETS];
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
    }
    long maximum = max.get();
    return new Summary(
        total,
        percentile(snapshot, total, 0.50, maximum),
        percentile(snapshot, total, 0.99, maximum),
        maximum);
  }

  private static long percentile(long[] snapshot, long total, double quantile, long maximum) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(quantile * total);
    long seen = 0;
    for (int i = 0; i < snapshot.length; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        return Math.min(upperBoundOf(i), maximum);
      }
    }
    return maximum;
  }

  /** Count, median, 99th percentile and maximum, in nanoseconds. */
  record Summary(long count, long p50, long p99, long max) {}
}
