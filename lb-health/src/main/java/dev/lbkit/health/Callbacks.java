package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The listeners of a {@link HealthChecker} and how they are called: never on the thread that probes
 * or schedules, but on the callback executor, one server's events in the order its results were
 * recorded (each {@link Target} has a {@link SerialQueue}), different servers' in parallel. Each
 * listener is called on its own: whatever it throws, {@code Error}s included, is logged and the
 * next listener still runs.
 */
final class Callbacks {

  private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());

  private final List<Consumer<Server>> onHealthy = new CopyOnWriteArrayList<>();
  private final List<Consumer<Server>> onUnhealthy = new CopyOnWriteArrayList<>();
  private final List<HealthTransitionListener> onTransition = new CopyOnWriteArrayList<>();
  private final List<ProbeListener> onProbe = new CopyOnWriteArrayList<>();
  private final Supplier<Executor> executor;

  /** {@code executor} is asked for the executor at each dispatch (the checker's own may change). */
  Callbacks(Supplier<Executor> executor) {
    this.executor = executor;
  }

  void onHealthy(Consumer<Server> callback) {
    onHealthy.add(Objects.requireNonNull(callback, "callback"));
  }

  void onUnhealthy(Consumer<Server> callback) {
    onUnhealthy.add(Objects.requireNonNull(callback, "callback"));
  }

  void onTransition(HealthTransitionListener listener) {
    onTransition.add(Objects.requireNonNull(listener, "listener"));
  }

  void onProbe(ProbeListener listener) {
    onProbe.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Queues the calls for one recorded result: probe listeners, then, if it changed the server's
   * health, the health callbacks and transition listeners. Runs nothing; the caller holds the
   * target's monitor, so the queue order is the order of installed states. Follow with {@link
   * #dispatch} once the monitor is released.
   */
  void queue(
      Target target, HealthState from, HealthState to, ProbeResult result, long latencyNanos) {
    Server server = target.server;
    if (!onProbe.isEmpty()) {
      target.callbacks.add(
          () -> {
            for (ProbeListener listener : onProbe) {
              isolated(listener, () -> listener.onProbe(server, result, latencyNanos));
            }
          });
    }
    if (from.flipsTo(to)) {
      target.callbacks.add(
          () -> {
            for (Consumer<Server> callback : to.healthy() ? onHealthy : onUnhealthy) {
              isolated(callback, () -> callback.accept(server));
            }
            for (HealthTransitionListener listener : onTransition) {
              isolated(listener, () -> listener.onTransition(server, from, to, result));
            }
          });
    }
  }

  /** Runs what {@link #queue} queued for {@code target}, on the callback executor. */
  void dispatch(Target target) {
    Executor e;
    try {
      e = executor.get();
    } catch (RejectedExecutionException stopped) {
      e = Runnable::run; // the checker stopped meanwhile: run them here rather than lose them
    }
    target.callbacks.drain(e);
  }

  private static void isolated(Object listener, Runnable call) {
    try {
      call.run();
    } catch (Throwable t) { // Errors too: one listener must not cost the others their call
      LOG.log(Level.WARNING, "health callback " + listener + " threw; ignored", t);
    }
  }
}
