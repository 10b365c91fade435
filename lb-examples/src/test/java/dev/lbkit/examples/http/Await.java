package dev.lbkit.examples.http;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A bounded wait for a state that real I/O on loopback produces (a job reaching a worker, a
 * connection dropping): polls the condition until it holds or the deadline passes. Never used for
 * what fake time can produce.
 */
public final class Await {

  /** Long enough for loopback I/O on a busy 2-core machine; a pass is usually milliseconds. */
  public static final Duration DEADLINE = Duration.ofSeconds(10);

  private Await() {}

  /** Waits until {@code condition} holds, failing with {@code what} after {@link #DEADLINE}. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, condition, () -> "");
  }

  /** Like {@link #until(String, BooleanSupplier)}, adding {@code state} to the failure. */
  public static void until(String what, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + DEADLINE + ": " + what + " " + state.get());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }
}
