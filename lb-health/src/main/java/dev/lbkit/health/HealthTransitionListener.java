package dev.lbkit.health;

import dev.lbkit.core.Server;

/**
 * Hears every change of a server's health that a {@link HealthChecker} decides, with the probe
 * result that tipped it. Called once per transition, after the new state is installed and written
 * to the server, on the checker's probe thread.
 */
@FunctionalInterface
public interface HealthTransitionListener {

  /** Called when {@code server} went from {@code from} to {@code to} because of {@code result}. */
  void onTransition(Server server, HealthState from, HealthState to, ProbeResult result);
}
