package dev.lbkit.health;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in the order they were added, on whatever executor {@link #drain} is
 * given: how one server's callbacks keep their order while different servers' callbacks run in
 * parallel. Adding never runs a task, so it may be done under a lock; draining hands at most one
 * runner to the executor. A task that throws is the caller's concern: tasks given here must not.
 */
final class SerialQueue {

  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /** Queues {@code task}; it runs at the next {@link #drain}. */
  void add(Runnable task) {
    tasks.add(task);
  }

  /**
   * Starts a runner on {@code executor} unless one is running already, which then takes the new
   * tasks too. If the executor refuses, the queued tasks run on the calling thread instead.
   */
  void drain(Executor executor) {
    if (tasks.isEmpty() || !draining.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(this::run);
    } catch (RuntimeException refused) {
      run(); // a stopped or full executor: better late here than lost
    }
  }

  private void run() {
    do {
      for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
        task.run();
      }
      draining.set(false);
      // A task added after the last poll but before the flag dropped is ours to run.
    } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
  }
}
