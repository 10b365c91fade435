package dev.lbkit.core;

import dev.lbkit.core.testing.FakeClock;
import java.time.Duration;

/**
 * The shared {@link FakeClock} under the name lb-core's tests know, returning itself from its moves
 * so that calls chain as they did.
 */
final class FakeTicker extends FakeClock {

  /** Starts at 0. */
  FakeTicker() {
    this(0);
  }

  /** Starts at {@code startNanos}, which may be anywhere in the long range. */
  FakeTicker(long startNanos) {
    super(startNanos);
  }

  @Override
  public FakeTicker advance(Duration duration) {
    super.advance(duration);
    return this;
  }

  @Override
  public FakeTicker advanceNanos(long nanos) {
    super.advanceNanos(nanos);
    return this;
  }

  @Override
  public FakeTicker setNanos(long nanos) {
    super.setNanos(nanos);
    return this;
  }
}
