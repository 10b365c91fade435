package dev.lbkit.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A 64-bit atomic counter alone on its cache line. Every pick of a balancer increments its counter,
 * so with two or more threads the counter's line moves between cores on every pick; the padding
 * keeps that traffic from also evicting the read-mostly fields around it (the balancer's snapshot
 * reference, the state epoch's neighbours). The layout follows JCTools: fields of a superclass are
 * laid out before those of a subclass, so 64 bytes of longs on each side of the value survive field
 * reordering.
 */
final class PaddedCounter extends PaddedCounterValue {

  @SuppressWarnings({"unused", "UnusedVariable"}) // padding
  private long p10, p11, p12, p13, p14, p15, p16, p17;

  PaddedCounter(long initial) {
    super(initial);
  }
}

/** Padding before the value. */
abstract class PaddedCounterPad {
  @SuppressWarnings({"unused", "UnusedVariable"}) // padding
  private long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The value, between the paddings. */
abstract class PaddedCounterValue extends PaddedCounterPad {

  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(PaddedCounterValue.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("FieldMayBeFinal") // written through VALUE
  private volatile long value;

  PaddedCounterValue(long initial) {
    this.value = initial;
  }

  /** Returns the current value. */
  final long get() {
    return value;
  }

  /**
   * Sets the value to {@code next} if it is {@code expected}; returns the value found, which equals
   * {@code expected} exactly when the update happened.
   */
  final long compareAndExchange(long expected, long next) {
    return (long) VALUE.compareAndExchange(this, expected, next);
  }

  /** Adds one and returns the value before. */
  final long getAndIncrement() {
    return (long) VALUE.getAndAdd(this, 1L);
  }
}
