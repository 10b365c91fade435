package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * A server runs at {@code factor} of its speed from {@code from} to {@code until} (simulated time
 * from the start of the run). Overlapping slowdowns multiply.
 *
 * @param from when it starts
 * @param until when it ends; after {@code from}
 * @param factor the share of its speed the server keeps, in [0, 1] (0: it stalls)
 */
public record Slowdown(Duration from, Duration until, double factor) {

  /**
   * Checks the arguments.
   *
   * @throws IllegalArgumentException if {@code from} is negative, {@code until} not after it, or
   *     {@code factor} outside [0, 1]
   */
  public Slowdown {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    if (from.isNegative()) {
      throw new IllegalArgumentException("from: " + from + " (expected: >= 0)");
    }
    if (until.compareTo(from) <= 0) {
      throw new IllegalArgumentException("until: " + until + " (expected: > from, " + from + ")");
    }
    if (!(factor >= 0 && factor <= 1)) {
      throw new IllegalArgumentException("factor: " + factor + " (expected: 0..1)");
    }
  }
}
