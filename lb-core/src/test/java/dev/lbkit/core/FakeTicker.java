package dev.lbkit.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when told to. Thread-safe: one thread may advance it while
 * others read it.
 */
final class FakeTicker implements Ticker {

  private final AtomicLong nanos;

  /** Starts at 0. */
  FakeTicker() {
    this(0);
  }

  /** Starts at {@code startNanos}, which may be anywhere in the long range. */
  FakeTicker(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long read() {
    return nanos.get();
  }

  /** Moves time forward by {@code duration}, wrapping around like {@link System#nanoTime()}. */
  FakeTicker advance(Duration duration) {
    return advanceNanos(duration.toNanos());
  }

  /** Moves time forward by {@code nanos}, wrapping around like {@link System#nanoTime()}. */
  FakeTicker advanceNanos(long nanos) {
    this.nanos.addAndGet(nanos);
    return this;
  }

  /** Sets the time to {@code nanos}. */
  FakeTicker setNanos(long nanos) {
    this.nanos.set(nanos);
    return this;
  }
}
