package dev.lbkit.examples.broker;

import dev.lbkit.core.Ticker;
import dev.lbkit.health.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Fake time for the broker: its {@link Ticker} and the {@link Scheduler} of its expiry job in one,
 * so that advancing the clock runs what falls due, in time order, on the calling thread. (lb-health
 * has a fake scheduler of its own, but in its test sources, which this module cannot see.)
 */
final class FakeTime implements Ticker, Scheduler {

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
  private long now = 1_000_000_000L; // not 0, so that no code can confuse "0" with "never"
  private long seq;

  @Override
  public synchronized long read() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task scheduled = new Task(now + Math.max(0, delayNanos), seq++, task);
    queue.add(scheduled);
    return () -> {
      synchronized (this) {
        scheduled.cancelled = true;
        queue.remove(scheduled);
      }
    };
  }

  /** Moves time forward by {@code duration}, running every task that falls due on the way. */
  void advance(Duration duration) {
    long until;
    synchronized (this) {
      until = now + duration.toNanos();
    }
    while (true) {
      Task task;
      synchronized (this) {
        Task next = queue.peek();
        if (next == null || next.at > until) {
          now = until;
          return;
        }
        task = queue.poll();
        now = task.at;
      }
      if (!task.cancelled) {
        task.run.run();
      }
    }
  }

  /** Returns how many tasks are scheduled and not cancelled. */
  synchronized int pending() {
    return queue.size();
  }
}
