package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.Ticker;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A discrete-event loop on simulated time. {@link #at} schedules an action at a nanosecond; {@link
 * #run()} takes the earliest event, moves the clock to its time and runs it, until none is left.
 * Events due at the same nanosecond run in the order they were scheduled, so a run depends on
 * nothing but what was scheduled. The loop is the {@link Ticker} of whatever it drives: {@link
 * #read()} is the simulated time, 0 when the loop is made.
 *
 * <p>Single-threaded: actions run on the caller of {@link #run()} and may schedule more events.
 * O(log e) per event for e events pending.
 */
final class EventLoop implements Ticker {

  /** An action due at a time; the sequence number orders events due at the same time. */
  private static final class Event implements Comparable<Event> {
    final long time;
    final long sequence;
    final Runnable action;

    Event(long time, long sequence, Runnable action) {
      this.time = time;
      this.sequence = sequence;
      this.action = action;
    }

    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(time, other.time);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private long now;
  private long scheduled;
  private long ran;

  /** Returns the simulated time in nanoseconds: the time of the event running, or last run. */
  @Override
  public long read() {
    return now;
  }

  /**
   * Schedules {@code action} at {@code time}.
   *
   * @throws IllegalArgumentException if {@code time} is before the current time
   * @throws NullPointerException if {@code action} is null
   */
  void at(long time, Runnable action) {
    Objects.requireNonNull(action, "action");
    if (time < now) {
      throw new IllegalArgumentException("time: " + time + " (expected: >= now, " + now + ")");
    }
    queue.add(new Event(time, scheduled++, action));
  }

  /** Runs events in time order until none is left; returns how many ran. */
  long run() {
    long before = ran;
    for (Event event = queue.poll(); event != null; event = queue.poll()) {
      now = event.time;
      ran++;
      event.action.run();
    }
    return ran - before;
  }

  /** Returns how many events are scheduled and not yet run. */
  int pending() {
    return queue.size();
  }
}
