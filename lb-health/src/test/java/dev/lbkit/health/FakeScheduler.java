package dev.lbkit.health;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on fake time: tasks run only when {@link #advance} reaches them, in time
 * order (ties in the order scheduled), on the calling thread. Single-threaded use.
 */
final class FakeScheduler implements Scheduler {

  private static final class Task {
    final long at;
    final long seq;
    final Runnable run;
    boolean cancelled;

    Task(long at, long seq, Runnable run) {
      this.at = at;
      this.seq = seq;
      this.run = run;
    }
  }

  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Task scheduled = new Task(now + Math.max(0, delayNanos), seq++, task);
    queue.add(scheduled);
    return () -> scheduled.cancelled = true;
  }

  /** Moves time forward by {@code duration}, running every task that falls due on the way. */
  void advance(Duration duration) {
    long until = now + duration.toNanos();
    while (!queue.isEmpty() && queue.peek().at <= until) {
      Task task = queue.poll();
      now = task.at;
      if (!task.cancelled) {
        task.run.run();
      }
    }
    now = until;
  }

  /** Returns the fake time in nanoseconds. */
  long nanos() {
    return now;
  }

  /** Returns how many tasks wait, cancelled ones included. */
  int pending() {
    return (int) queue.stream().filter(t -> !t.cancelled).count();
  }
}
