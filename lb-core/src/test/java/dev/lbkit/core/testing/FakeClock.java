package dev.lbkit.core.testing;

import dev.lbkit.core.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Fake time for tests: a {@link Ticker} that moves only when told to, and that runs the tasks
 * scheduled on it when it moves past them. {@link #advance} runs every task that falls due on the
 * way, in time order (ties in the order scheduled), on the advancing thread, with the clock reading
 * each task's due time while it runs; a task that schedules another one due within the same advance
 * sees it run in that advance too.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();
 * clock.schedule(() -> log.add("b"), Duration.ofSeconds(2));
 * clock.schedule(() -> log.add("a"), Duration.ofSeconds(1));
 * clock.advance(Duration.ofSeconds(5)); // log: a, b; clock.read() is 5 s on
 * }</pre>
 *
 * <p>Thread-safe: services under test read and schedule from their own threads while the test
 * advances, and several threads may advance at once (time then never goes back, and each due task
 * runs once, on one of them). Tasks run outside the clock's lock, so they may read, schedule,
 * cancel and advance. Reading costs one volatile read.
 *
 * <p>Not final, so that a module whose code takes a scheduling interface of its own (lb-health's
 * {@code Scheduler}) can adapt it in a few lines by subclassing.
 */
public class FakeClock implements Ticker {

  /*
   * Time is kept as "elapsed" nanoseconds since an origin, which only grows, so the queue orders
   * tasks by plain comparison; the reading (origin + elapsed) may wrap around like
   * System.nanoTime(). When no task waits, the origin absorbs the elapsed time, so advancing a
   * clock with nothing scheduled by any amount, any number of times, cannot overflow.
   */

  /** A scheduled task that can still be called off. */
  @FunctionalInterface
  public interface Scheduled {
    /** Calls the task off if it has not started; does nothing otherwise. */
    void cancel();
  }

  private static final class Task {
    final long due; // elapsed time at which it runs
    final long seq;
    final Runnable run;

    Task(long due, long seq, Runnable run) {
      this.due = due;
      this.seq = seq;
      this.run = run;
    }
  }

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long origin; // guarded by this
  private long elapsed; // guarded by this: the time the clock shows, less the origin
  private long target; // guarded by this: the elapsed time advances have asked for, >= elapsed
  private long seq; // guarded by this
  private volatile long reading;

  /** Starts at 0. */
  public FakeClock() {
    this(0);
  }

  /** Starts at {@code startNanos}, which may be anywhere in the long range. */
  public FakeClock(long startNanos) {
    this.origin = startNanos;
    this.reading = startNanos;
  }

  @Override
  public long read() {
    return reading;
  }

  /**
   * Moves time forward by {@code duration}, running each task that falls due on the way.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public FakeClock advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
    }
    return advanceNanos(saturatedNanos(duration));
  }

  /**
   * Moves time forward by {@code nanos}, running each task that falls due on the way; the reading
   * wraps around like {@link System#nanoTime()}.
   *
   * @throws IllegalArgumentException if {@code nanos} is negative
   * @throws ArithmeticException if tasks wait and the clock would pass 2^63 ns (292 years) since
   *     the first of them was scheduled
   */
  public FakeClock advanceNanos(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("nanos: " + nanos + " (expected: >= 0)");
    }
    synchronized (this) {
      if (tasks.isEmpty()) {
        origin += elapsed;
        target -= elapsed;
        elapsed = 0;
      }
      target = Math.addExact(target, nanos);
    }
    while (true) {
      Task due;
      synchronized (this) {
        Task head = tasks.peek();
        if (head == null || head.due > target) {
          moveTo(target);
          return this;
        }
        due = tasks.poll();
        moveTo(due.due);
      }
      due.run.run();
    }
  }

  /**
   * Sets the reading to {@code nanos}. No time passes: no task runs, and each waiting task keeps
   * the time it still has to wait.
   */
  public synchronized FakeClock setNanos(long nanos) {
    origin = nanos - elapsed;
    reading = nanos;
    return this;
  }

  /**
   * Schedules {@code task} to run once, {@code delay} from now (on the next advance, even by zero,
   * if not positive).
   *
   * @return a handle that calls the task off if it has not started
   */
  public synchronized Scheduled schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    long nanos = Math.max(0, saturatedNanos(Objects.requireNonNull(delay, "delay")));
    long due = nanos > Long.MAX_VALUE - elapsed ? Long.MAX_VALUE : elapsed + nanos;
    Task scheduled = new Task(due, seq++, task);
    tasks.add(scheduled);
    return () -> {
      synchronized (this) {
        tasks.remove(scheduled);
      }
    };
  }

  /** Returns how many tasks wait: scheduled, not run and not cancelled. */
  public synchronized int pending() {
    return tasks.size();
  }

  @Override
  public String toString() {
    return "FakeClock{" + reading + " ns, " + pending() + " pending}";
  }

  /** Moves the elapsed time to {@code to}, never back; under the lock. */
  private void moveTo(long to) {
    if (to > elapsed) {
      elapsed = to;
      reading = origin + elapsed;
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
