package dev.lbkit.health;

import dev.lbkit.core.testing.FakeClock;
import java.time.Duration;

/**
 * The shared {@link FakeClock} (lb-core's test-jar) as a {@link Scheduler}: tasks run only when
 * {@link #advance} reaches them, in time order (ties in the order scheduled), on the calling
 * thread. Starts at 0.
 */
final class FakeScheduler extends FakeClock implements Scheduler {

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    return schedule(task, Duration.ofNanos(delayNanos))::cancel;
  }

  /** Returns the fake time in nanoseconds. */
  long nanos() {
    return read();
  }
}
