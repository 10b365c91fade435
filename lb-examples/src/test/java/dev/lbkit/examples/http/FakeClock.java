package dev.lbkit.examples.http;

import dev.lbkit.core.Ticker;
import dev.lbkit.health.Scheduler;
import java.time.Duration;

/**
 * Fake time for the examples' tests: the shared {@link dev.lbkit.core.testing.FakeClock} (lb-core's
 * test-jar), a {@link Ticker} whose scheduled tasks run only when {@link #advance} reaches them, as
 * a {@link Scheduler} too. Thread-safe: services schedule from their own threads.
 */
public final class FakeClock extends dev.lbkit.core.testing.FakeClock implements Scheduler {

  /** Starts at 1 s, not 0, so that no code can confuse "0" with "never". */
  public FakeClock() {
    super(1_000_000_000L);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    return schedule(task, Duration.ofNanos(delayNanos))::cancel;
  }
}
