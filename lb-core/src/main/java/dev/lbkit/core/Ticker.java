package dev.lbkit.core;

/**
 * A source of nanosecond time, the only clock lbkit reads: rate limiters, lease timing, affinity
 * expiry and health scheduling all take one, so tests can drive them with fake time. Only
 * differences between two readings mean anything, compared by subtraction ({@code now - since >=
 * ttl}) so that they stay right across numeric overflow.
 */
@FunctionalInterface
public interface Ticker {

  /** Returns the current time in nanoseconds from an arbitrary origin. */
  long read();

  /** Returns the ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}

/** {@link System#nanoTime()}; the one place in lbkit that reads the system clock. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }
}
