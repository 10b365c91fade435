package dev.lbkit.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Envoy's slow start ({@code slow_start_config}): a server that joins, or comes back healthy, ramps
 * its effective weight over a window instead of taking its full share at once, so a cold JVM or an
 * empty cache is not flooded. During the window the weight is
 *
 * <pre>
 *   weight x max(minWeightPercent / 100, timeFactor^(1 / aggression))
 *   timeFactor = max(secondsSinceStart, 1) / windowSeconds
 * </pre>
 *
 * and after it the weight itself. Aggression 1 (the default) ramps linearly; above 1 it ramps
 * faster at first, below 1 slower. The minimum (10% by default) keeps a new server from starving.
 *
 * <p>Immutable. Given to {@link LoadBalancer.Builder#slowStart} (round robin, weighted round robin,
 * weighted least request) or to {@link WeightedLeastRequest}. Servers present when a balancer is
 * built start warm; a server that stays healthy stays warm whatever else joins or leaves. Time
 * comes from the balancer's {@link Ticker}.
 */
public final class SlowStart {

  /** Envoy's default aggression: 1.0, a linear ramp. */
  public static final double DEFAULT_AGGRESSION = 1.0;

  /** Envoy's default minimum weight: 10% of the server's weight. */
  public static final double DEFAULT_MIN_WEIGHT_PERCENT = 10.0;

  private static final long SECOND = 1_000_000_000L;

  private final Duration window;
  private final long windowNanos;
  private final double aggression;
  private final double minWeightPercent;

  private SlowStart(Duration window, double aggression, double minWeightPercent) {
    this.window = window;
    this.windowNanos = window.toNanos();
    this.aggression = aggression;
    this.minWeightPercent = minWeightPercent;
  }

  /**
   * Returns a slow start over {@code window} with the default aggression (1.0) and minimum weight
   * (10%).
   *
   * @throws IllegalArgumentException if {@code window} is not positive or longer than a day
   */
  public static SlowStart of(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("window: " + window + " (expected: > 0 and <= 1 day)");
    }
    return new SlowStart(window, DEFAULT_AGGRESSION, DEFAULT_MIN_WEIGHT_PERCENT);
  }

  /**
   * Returns this slow start with {@code aggression}.
   *
   * @throws IllegalArgumentException if {@code aggression} is not a positive finite number
   */
  public SlowStart withAggression(double aggression) {
    if (!(aggression > 0) || Double.isInfinite(aggression)) {
      throw new IllegalArgumentException(
          "aggression: " + aggression + " (expected: > 0 and finite)");
    }
    return new SlowStart(window, aggression, minWeightPercent);
  }

  /**
   * Returns this slow start with {@code minWeightPercent}.
   *
   * @throws IllegalArgumentException if {@code minWeightPercent} is not in {@code [0, 100]}
   */
  public SlowStart withMinWeightPercent(double minWeightPercent) {
    if (!(minWeightPercent >= 0 && minWeightPercent <= 100)) {
      throw new IllegalArgumentException(
          "minWeightPercent: " + minWeightPercent + " (expected: >= 0 and <= 100)");
    }
    return new SlowStart(window, aggression, minWeightPercent);
  }

  /** Returns the window. */
  public Duration window() {
    return window;
  }

  /** Returns the aggression. */
  public double aggression() {
    return aggression;
  }

  /** Returns the minimum weight, in percent of the server's weight. */
  public double minWeightPercent() {
    return minWeightPercent;
  }

  /**
   * Returns the share of its weight a server has {@code sinceStart} after it joined or came back:
   * in {@code [minWeightPercent / 100, 1]}, and 1 from the end of the window on.
   */
  public double weightFactor(Duration sinceStart) {
    Objects.requireNonNull(sinceStart, "sinceStart");
    return factor(sinceStart.isNegative() ? 0 : saturatedNanos(sinceStart));
  }

  /** {@link #weightFactor} for an elapsed time in nanoseconds (not negative). */
  double factor(long elapsedNanos) {
    if (elapsedNanos >= windowNanos) {
      return 1.0;
    }
    double timeFactor = (double) Math.max(elapsedNanos, SECOND) / windowNanos;
    double ramp =
        aggression == 1.0 ? timeFactor : Math.pow(Math.min(timeFactor, 1.0), 1.0 / aggression);
    return Math.min(1.0, Math.max(minWeightPercent / 100.0, ramp));
  }

  /** Returns the window in nanoseconds. */
  long windowNanos() {
    return windowNanos;
  }

  private static long saturatedNanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  @Override
  public String toString() {
    return "SlowStart{window="
        + window
        + ", aggression="
        + aggression
        + ", minWeightPercent="
        + minWeightPercent
        + "}";
  }
}
