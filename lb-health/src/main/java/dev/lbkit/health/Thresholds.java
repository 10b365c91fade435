package dev.lbkit.health;

/**
 * How many consecutive probe results it takes to change a server's health.
 *
 * @param healthy consecutive passed probes that turn an unhealthy server healthy; at least 1
 * @param unhealthy consecutive failed probes that turn a healthy server unhealthy; at least 1
 */
public record Thresholds(int healthy, int unhealthy) {

  /** The defaults: 2 passes to recover, 3 failures to fall. */
  public static final Thresholds DEFAULT = new Thresholds(2, 3);

  public Thresholds {
    if (healthy < 1) {
      throw new IllegalArgumentException("healthyThreshold: " + healthy + " (expected: >= 1)");
    }
    if (unhealthy < 1) {
      throw new IllegalArgumentException("unhealthyThreshold: " + unhealthy + " (expected: >= 1)");
    }
  }
}
