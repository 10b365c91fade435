package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One server a {@link HealthChecker} knows: its health state, the probe in flight (at most one),
 * its next scheduled round, and the queue that keeps its callbacks in order.
 */
final class Target {

  final Server server;

  /** Read without a lock; written only under this target's monitor, with the server's flag. */
  private volatile HealthState state;

  /** The probe whose thread is not done with it yet, if any: never two at once. */
  final AtomicReference<@Nullable Flight> inFlight = new AtomicReference<>();

  /** The next round, to cancel when the server leaves or the checker stops. */
  volatile Scheduler.@Nullable Cancellable next;

  /** Runs this server's callbacks one at a time, in the order its results were recorded. */
  final SerialQueue callbacks = new SerialQueue();

  Target(Server server) {
    this.server = server;
    this.state = server.isHealthy() ? HealthState.HEALTHY : HealthState.UNHEALTHY;
  }

  HealthState state() {
    return state;
  }

  /** Installs {@code next}; the caller holds this target's monitor. */
  void install(HealthState next) {
    state = next;
  }

  /** Calls off the next round, if one is scheduled. */
  void cancelNext() {
    Scheduler.Cancellable n = next;
    if (n != null) {
      n.cancel();
    }
  }
}
