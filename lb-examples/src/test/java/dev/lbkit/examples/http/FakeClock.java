package dev.lbkit.examples.http;

import dev.lbkit.core.Ticker;
import dev.lbkit.health.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Fake time for the examples' tests: a {@link Ticker} that reads it and a {@link Scheduler} whose
 * tasks run only when {@link #advance} reaches them, in time order (ties in the order scheduled),
 * on the advancing thread. Thread-safe: services schedule from their own threads. (lb-health has a
 * fake scheduler of its own, but in its test sources, which this module cannot see.)
 */
public final class FakeClock implements Ticker, Scheduler {

  private static final class Task {
    final long at;
    final long seq;
    final Runnable run;
    boolean cancelled; // guarded by the clock

    Task(long at, long seq, Runnable run) {
      this.at = at;
      this.seq = seq;
      this.run = run;
    }
  }

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now = 1_000_000_000L; // not 0, so that no code can confuse "0" with "never"
  private long seq; // guarded by this

  @Override
  public synchronized long read() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task scheduled = new Task(now + Math.max(0, delayNanos), seq++, task);
    tasks.add(scheduled);
    return () -> {
      synchronized (this) {
        scheduled.cancelled = true;
        tasks.remove(scheduled);
      }
    };
  }

  /** Moves time on by {@code duration}, running each task that falls due, outside the lock. */
  public void advance(Duration duration) {
    long until;
    synchronized (this) {
      until = now + duration.toNanos();
    }
    while (true) {
      Task due;
      synchronized (this) {
        Task head = tasks.peek();
        if (head == null || head.at - until > 0) {
          now = until;
          return;
        }
        due = tasks.poll();
        now = due.at;
        if (due.cancelled) {
          continue;
        }
      }
      due.run.run();
    }
  }

  /** Returns how many tasks are scheduled and not cancelled. */
  public synchronized int pending() {
    return tasks.size();
  }
}
