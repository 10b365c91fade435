package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * Load on a server's machine that the clients cannot see (Prequal's antagonists): the server
 * alternates between normal periods and slowed periods, during which it runs at {@code factor} of
 * its speed. Both lengths are exponentially distributed, drawn from a random stream of the run's
 * seed that belongs to the server, so every algorithm meets the same slowdowns on a given seed.
 *
 * @param factor the share of its speed the server keeps while slowed, in [0, 1]
 * @param meanNormal the mean length of a normal period
 * @param meanSlowed the mean length of a slowed period
 */
public record Antagonist(double factor, Duration meanNormal, Duration meanSlowed) {

  /**
   * Checks the arguments.
   *
   * @throws IllegalArgumentException if {@code factor} is outside [0, 1] or a mean is not positive
   */
  public Antagonist {
    if (!(factor >= 0 && factor <= 1)) {
      throw new IllegalArgumentException("factor: " + factor + " (expected: 0..1)");
    }
    positive(meanNormal, "meanNormal");
    positive(meanSlowed, "meanSlowed");
  }

  /** The long-run share of time the server is slowed. */
  public double slowedShare() {
    double slowed = meanSlowed.toNanos();
    return slowed / (slowed + meanNormal.toNanos());
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
  }
}
