package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How much work a request brings to a server, in nanoseconds of service at the server's full speed.
 * A server at speed {@code s} serves {@code s} nanoseconds of work per nanosecond (so a request of
 * 10 ms of work takes 25 ms at speed 0.4, more if it shares the server).
 *
 * <p>Implementations should draw a fixed number of values per sample (those here draw one), so that
 * every algorithm run on one seed meets the same sequence of request sizes.
 */
public interface ServiceTime {

  /** Draws the work of one request, in nanoseconds, from {@code random}; never negative. */
  double sampleNanos(RandomGenerator random);

  /** The mean work of a request, in nanoseconds. */
  double meanNanos();

  /**
   * Exponentially distributed work with mean {@code mean}: the M of M/M/1.
   *
   * @throws IllegalArgumentException if {@code mean} is not positive
   */
  static ServiceTime exponential(Duration mean) {
    double m = positiveNanos(mean, "mean");
    return new ServiceTime() {
      @Override
      public double sampleNanos(RandomGenerator random) {
        return m * random.nextExponential();
      }

      @Override
      public double meanNanos() {
        return m;
      }

      @Override
      public String toString() {
        return "exponential(mean " + mean + ")";
      }
    };
  }

  /**
   * Exactly {@code work} for every request (draws nothing).
   *
   * @throws IllegalArgumentException if {@code work} is not positive
   */
  static ServiceTime constant(Duration work) {
    double w = positiveNanos(work, "work");
    return new ServiceTime() {
      @Override
      public double sampleNanos(RandomGenerator random) {
        return w;
      }

      @Override
      public double meanNanos() {
        return w;
      }

      @Override
      public String toString() {
        return "constant(" + work + ")";
      }
    };
  }

  /**
   * Normally distributed work, N(mean, sigma), truncated below at 1 ns.
   *
   * @throws IllegalArgumentException if {@code mean} is not positive or {@code sigma} is negative
   */
  static ServiceTime normal(Duration mean, Duration sigma) {
    double m = positiveNanos(mean, "mean");
    Objects.requireNonNull(sigma, "sigma");
    if (sigma.isNegative()) {
      throw new IllegalArgumentException("sigma: " + sigma + " (expected: >= 0)");
    }
    double s = sigma.toNanos();
    return new ServiceTime() {
      @Override
      public double sampleNanos(RandomGenerator random) {
        return Math.max(1, m + s * random.nextGaussian());
      }

      @Override
      public double meanNanos() {
        return m;
      }

      @Override
      public String toString() {
        return "normal(" + mean + ", " + sigma + ")";
      }
    };
  }

  /**
   * Log-normally distributed work with mean {@code mean} whose logarithm has standard deviation
   * {@code sigma}: a heavy right tail, as request sizes often have.
   *
   * @throws IllegalArgumentException if {@code mean} is not positive or {@code sigma} is negative
   */
  static ServiceTime logNormal(Duration mean, double sigma) {
    double m = positiveNanos(mean, "mean");
    if (!(sigma >= 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma: " + sigma + " (expected: >= 0, finite)");
    }
    double mu = Math.log(m) - sigma * sigma / 2;
    return new ServiceTime() {
      @Override
      public double sampleNanos(RandomGenerator random) {
        return Math.exp(mu + sigma * random.nextGaussian());
      }

      @Override
      public double meanNanos() {
        return m;
      }

      @Override
      public String toString() {
        return "logNormal(mean " + mean + ", sigma " + sigma + ")";
      }
    };
  }

  private static double positiveNanos(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
    return d.toNanos();
  }
}
