package dev.lbkit.examples.http;

import java.time.Duration;
import java.util.Objects;

/** Argument checks the examples' builders share; messages name the argument and its value. */
public final class Arguments {

  private Arguments() {}

  /**
   * Returns {@code value} if it is positive.
   *
   * @throws IllegalArgumentException if it is zero or negative: {@code name: PT0S (expected: > 0)}
   * @throws NullPointerException if it is null
   */
  public static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  /**
   * Returns {@code value} if it is zero or positive.
   *
   * @throws IllegalArgumentException if it is negative: {@code name: PT-1S (expected: >= 0)}
   * @throws NullPointerException if it is null
   */
  public static Duration notNegative(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
    return value;
  }

  /**
   * Returns {@code value} if it is at least {@code min}.
   *
   * @throws IllegalArgumentException if it is below: {@code name: 0 (expected: >= 1)}
   */
  public static int atLeast(int value, int min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
    }
    return value;
  }

  /**
   * Checks a health check's interval and timeout: both positive, the timeout no longer than the
   * interval (as {@code HealthChecker} requires).
   *
   * @throws IllegalArgumentException if not, naming the argument and its value
   */
  public static void healthTiming(Duration interval, Duration timeout) {
    positive(interval, "interval");
    positive(timeout, "timeout");
    if (timeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException(
          "timeout: " + timeout + " (expected: <= interval " + interval + ")");
    }
  }
}
