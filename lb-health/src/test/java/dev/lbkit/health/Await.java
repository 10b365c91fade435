package dev.lbkit.health;

import static org.assertj.core.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits, boundedly, for a state that real threads or real I/O produce (a probe thread ending, an
 * answer arriving). Never for what fake time can produce: advance the clock instead.
 */
final class Await {

  /** Generous on a loaded 2-core machine; a pass usually takes milliseconds. */
  static final long SECONDS = 20;

  private Await() {}

  /** Polls {@code condition} until it holds; fails naming {@code what} after {@link #SECONDS}. */
  static void until(String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    long pause = TimeUnit.MICROSECONDS.toNanos(100);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(SECONDS)) {
        fail("not within " + SECONDS + " s: " + what);
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
