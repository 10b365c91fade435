package dev.lbkit.health;

/**
 * Runs tasks after a delay: how a {@link HealthChecker} times its probes and their timeouts. The
 * checker's own is one daemon thread; tests pass a fake that runs due tasks as they advance fake
 * time, so a whole sequence of probes and transitions plays out with no sleeping.
 */
@FunctionalInterface
public interface Scheduler {

  /**
   * Runs {@code task} once, {@code delayNanos} from now (at once if not positive).
   *
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(Runnable task, long delayNanos);

  /** A scheduled task that can still be called off. */
  @FunctionalInterface
  interface Cancellable {
    /** Calls the task off if it has not started; does nothing otherwise. */
    void cancel();
  }
}
