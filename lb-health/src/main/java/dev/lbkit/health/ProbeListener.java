package dev.lbkit.health;

import dev.lbkit.core.Server;

/**
 * Hears the outcome of every probe a {@link HealthChecker} records, whether or not it changes the
 * server's health: what a metrics binder counts and times. Called on the checker's callback
 * threads, in order per server, after the result is installed; never on a probing or scheduling
 * thread.
 */
@FunctionalInterface
public interface ProbeListener {

  /**
   * Called once per recorded probe of {@code server}.
   *
   * @param latencyNanos how long the probe took on the checker's ticker, up to its result (a probe
   *     that timed out reports about the timeout)
   */
  void onProbe(Server server, ProbeResult result, long latencyNanos);
}
