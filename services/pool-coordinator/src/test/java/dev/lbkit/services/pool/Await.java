package dev.lbkit.services.pool;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits on conditions that real loopback I/O brings about; never a timing assertion. */
final class Await {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  private Await() {}

  /** Waits until {@code condition} holds; fails after a minute, describing the state. */
  static void until(String what, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + LIMIT + ": " + what + "; " + state.get());
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  /** Waits until {@code condition} holds. */
  static void until(String what, BooleanSupplier condition) {
    until(what, condition, () -> "");
  }
}
