package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * One period of a weighted round robin over a fixed list of servers, as a function from a pick
 * sequence number to a server. Over every full period (the sum of the weights divided by their
 * greatest common divisor) each server appears exactly its reduced weight times, whatever threads
 * draw the sequence numbers.
 *
 * <p>Two shapes, chosen when the schedule is built:
 *
 * <ul>
 *   <li><b>Table</b> (the usual case): nginx's smooth weighted round robin, computed once for one
 *       period into an array; a pick is an array load. Weights {5, 1, 1} give {@code a a b a c a
 *       a}. Used while the period is at most {@link #MAX_TABLE} slots and computing it takes at
 *       most {@link #MAX_BUILD_STEPS} steps (period x servers).
 *   <li><b>Golden stride</b> (very long periods): slot {@code r} of the period maps to position
 *       {@code r x s mod period} of the servers laid end to end by weight, with {@code s} the
 *       integer nearest {@code period / phi} that is coprime to the period. Multiplying by a unit
 *       permutes the positions, so shares stay exact; the golden-ratio stride spreads each server's
 *       picks over the period, though less evenly than nginx's order. A pick costs a binary search,
 *       O(log n).
 * </ul>
 */
final class WeightedSchedule {

  /** The longest period held as a table: 2^18 slots (1 MiB of references at most). */
  static final int MAX_TABLE = 1 << 18;

  /** The most work spent computing a table: period x servers steps (a few milliseconds). */
  static final long MAX_BUILD_STEPS = 1L << 24;

  private static final double GOLDEN_RATIO = (1 + Math.sqrt(5)) / 2;

  private final int @Nullable [] table; // indices into servers
  private final Server[] servers;
  private final long[] cumulative;
  private final long period;
  private final long stride;

  private WeightedSchedule(
      int @Nullable [] table, Server[] servers, long[] cumulative, long period, long stride) {
    this.table = table;
    this.servers = servers;
    this.cumulative = cumulative;
    this.period = period;
    this.stride = stride;
  }

  /** Builds the schedule of {@code servers} with the default limits. */
  static WeightedSchedule of(Server[] servers) {
    return of(servers, MAX_TABLE, MAX_BUILD_STEPS);
  }

  /** Builds the schedule of {@code servers}, as a table if it fits the given limits. */
  static WeightedSchedule of(Server[] servers, int maxTable, long maxBuildSteps) {
    int n = servers.length;
    long[] weights = new long[n];
    long gcd = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = servers[i].weight();
      gcd = gcd(gcd, weights[i]);
    }
    long period = 0;
    long[] cumulative = new long[n];
    for (int i = 0; i < n; i++) {
      weights[i] /= gcd;
      period += weights[i];
      cumulative[i] = period;
    }
    if (period <= maxTable && period * n <= maxBuildSteps) {
      return new WeightedSchedule(
          smoothTable(weights, (int) period), servers, cumulative, period, 0);
    }
    return new WeightedSchedule(null, servers, cumulative, period, coprimeStride(period));
  }

  /** Returns the server for pick number {@code sequence} (read as unsigned). Servers not empty. */
  Server at(long sequence) {
    return servers[indexAt(sequence)];
  }

  /** Returns the index of the server for pick number {@code sequence} (read as unsigned). */
  int indexAt(long sequence) {
    int[] t = table;
    if (t != null) {
      return t[Sequences.index(sequence, t.length)];
    }
    long position = mulMod(Long.remainderUnsigned(sequence, period), stride, period);
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) { // first server whose cumulative weight exceeds position
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= position) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Returns the number of picks after which the schedule repeats. */
  long period() {
    return period;
  }

  /** Returns whether picks are array loads (nginx order) rather than golden-stride searches. */
  boolean isTable() {
    return table != null;
  }

  /**
   * nginx's smooth weighted round robin for one period: each step adds every weight to its server's
   * current weight, picks the largest current weight (the first in list order on a tie) and takes
   * the period from it. After one period every current weight is back at zero.
   */
  private static int[] smoothTable(long[] weights, int period) {
    int[] table = new int[period];
    long[] current = new long[weights.length];
    for (int slot = 0; slot < period; slot++) {
      int best = 0;
      for (int i = 0; i < current.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= period;
      table[slot] = best;
    }
    return table;
  }

  private static long coprimeStride(long period) {
    long stride = Math.round(period / GOLDEN_RATIO);
    while (gcd(stride, period) != 1) {
      stride++;
    }
    return stride;
  }

  /** Returns {@code a x b mod m} for {@code 0 <= a, b < m}, without overflow. */
  static long mulMod(long a, long b, long m) {
    if (m <= 1L << 31) {
      return a * b % m; // both factors below 2^31: the product fits
    }
    long result = 0;
    long addend = a;
    for (long rest = b; rest != 0; rest >>>= 1) {
      if ((rest & 1) != 0) {
        result = addMod(result, addend, m);
      }
      addend = addMod(addend, addend, m);
    }
    return result;
  }

  /** Returns {@code (x + y) mod m} for {@code 0 <= x, y < m < 2^63}; the sum fits unsigned. */
  private static long addMod(long x, long y, long m) {
    long sum = x + y;
    return Long.compareUnsigned(sum, m) >= 0 ? sum - m : sum;
  }

  private static long gcd(long a, long b) {
    long x = a;
    long y = b;
    while (y != 0) {
      long r = x % y;
      x = y;
      y = r;
    }
    return x;
  }
}
