package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * When requests arrive: a Poisson process whose rate may vary with simulated time. The run draws
 * arrivals at {@link #maxPerSecond()} and keeps each with probability rate(t) / max (thinning),
 * which gives exactly a non-homogeneous Poisson process of rate {@link #perSecond(long)}.
 *
 * <p>Implement it for your own traffic shape: {@link #perSecond} must stay within [0, {@link
 * #maxPerSecond}].
 */
public interface Arrivals {

  /** The arrival rate at simulated time {@code nanos}, in requests per second. */
  double perSecond(long nanos);

  /** An upper bound of {@link #perSecond} over the whole run; positive. */
  double maxPerSecond();

  /** The long-run mean rate, for reports. */
  double meanPerSecond();

  /**
   * A Poisson process of constant rate {@code perSecond}.
   *
   * @throws IllegalArgumentException if {@code perSecond} is not positive and finite
   */
  static Arrivals poisson(double perSecond) {
    checkRate(perSecond, "perSecond");
    return new Arrivals() {
      @Override
      public double perSecond(long nanos) {
        return perSecond;
      }

      @Override
      public double maxPerSecond() {
        return perSecond;
      }

      @Override
      public double meanPerSecond() {
        return perSecond;
      }

      @Override
      public String toString() {
        return "poisson(" + perSecond + "/s)";
      }
    };
  }

  /**
   * Bursts: Poisson at {@code perSecond}, except for the first {@code length} of every {@code
   * every}, when the rate is {@code factor} times higher.
   *
   * @throws IllegalArgumentException if a rate or factor is not positive, or {@code length} is not
   *     in (0, every)
   */
  static Arrivals bursts(double perSecond, double factor, Duration every, Duration length) {
    checkRate(perSecond, "perSecond");
    checkRate(factor, "factor");
    Objects.requireNonNull(every, "every");
    Objects.requireNonNull(length, "length");
    if (length.isNegative() || length.isZero() || length.compareTo(every) >= 0) {
      throw new IllegalArgumentException(
          "length: " + length + " (expected: > 0 and < every, " + every + ")");
    }
    long period = every.toNanos();
    long burst = length.toNanos();
    double share = (double) burst / period;
    return new Arrivals() {
      @Override
      public double perSecond(long nanos) {
        return Math.floorMod(nanos, period) < burst ? perSecond * factor : perSecond;
      }

      @Override
      public double maxPerSecond() {
        return perSecond * Math.max(1, factor);
      }

      @Override
      public double meanPerSecond() {
        return perSecond * (1 - share + share * factor);
      }

      @Override
      public String toString() {
        return "bursts(" + perSecond + "/s, x" + factor + " for " + length + " every " + every
            + ")";
      }
    };
  }

  /**
   * A daily cycle: rate {@code meanPerSecond} x (1 + {@code amplitude} x sin(2 pi t / {@code
   * period})).
   *
   * @throws IllegalArgumentException if the rate is not positive, {@code amplitude} not in [0, 1]
   *     or {@code period} not positive
   */
  static Arrivals diurnal(double meanPerSecond, double amplitude, Duration period) {
    checkRate(meanPerSecond, "meanPerSecond");
    if (!(amplitude >= 0 && amplitude <= 1)) {
      throw new IllegalArgumentException("amplitude: " + amplitude + " (expected: 0..1)");
    }
    Objects.requireNonNull(period, "period");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
    }
    double omega = 2 * Math.PI / period.toNanos();
    return new Arrivals() {
      @Override
      public double perSecond(long nanos) {
        return meanPerSecond * (1 + amplitude * Math.sin(omega * nanos));
      }

      @Override
      public double maxPerSecond() {
        return meanPerSecond * (1 + amplitude);
      }

      @Override
      public double meanPerSecond() {
        return meanPerSecond;
      }

      @Override
      public String toString() {
        return "diurnal(" + meanPerSecond + "/s, amplitude " + amplitude + ", " + period + ")";
      }
    };
  }

  private static void checkRate(double rate, String name) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(name + ": " + rate + " (expected: > 0, finite)");
    }
  }
}
