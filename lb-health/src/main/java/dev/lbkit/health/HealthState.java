package dev.lbkit.health;

import java.util.Objects;

/**
 * The health of one server as the threshold state machine sees it: healthy or not, and how many
 * probes in a row have disagreed with that. Immutable; {@link #after} is a pure function, so a
 * checker can install the next state with a compare-and-set and fire callbacks after the swap.
 *
 * <p>The machine, for thresholds {@code (h, u)}:
 *
 * <ul>
 *   <li>healthy: a failed probe adds one to the streak; the {@code u}-th in a row turns the server
 *       unhealthy. A passed probe resets the streak.
 *   <li>unhealthy: a passed probe adds one to the streak; the {@code h}-th in a row turns the
 *       server healthy. A failed probe resets the streak.
 * </ul>
 *
 * @param healthy whether the server is in rotation
 * @param streak consecutive probes, counted up to now, whose result contradicts {@code healthy};
 *     always below the threshold that would flip it
 */
public record HealthState(boolean healthy, int streak) {

  /** A server that starts healthy with no probe seen. */
  public static final HealthState HEALTHY = new HealthState(true, 0);

  /** A server that starts unhealthy with no probe seen. */
  public static final HealthState UNHEALTHY = new HealthState(false, 0);

  public HealthState {
    if (streak < 0) {
      throw new IllegalArgumentException("streak: " + streak + " (expected: >= 0)");
    }
  }

  /**
   * Returns the state after one probe that {@code passed} or not.
   *
   * @throws NullPointerException if {@code thresholds} is null
   */
  public HealthState after(boolean passed, Thresholds thresholds) {
    Objects.requireNonNull(thresholds, "thresholds");
    if (passed == healthy) {
      return healthy ? HEALTHY : UNHEALTHY; // the probe agrees: any contrary streak is broken
    }
    int contrary = streak + 1;
    int needed = healthy ? thresholds.unhealthy() : thresholds.healthy();
    if (contrary >= needed) {
      return healthy ? UNHEALTHY : HEALTHY;
    }
    return new HealthState(healthy, contrary);
  }

  /** Returns whether going from this state to {@code next} changes the server's health. */
  public boolean flipsTo(HealthState next) {
    return healthy != next.healthy;
  }
}
