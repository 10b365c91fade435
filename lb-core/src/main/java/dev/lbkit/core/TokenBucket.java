package dev.lbkit.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * A token bucket: a rate limiter that admits {@link #permitsPerSecond()} permits a second on
 * average and up to {@link #burst()} at once. It starts full, so the first {@code burst} permits go
 * through at once; after that one permit comes back every {@code 1 / permitsPerSecond} seconds, and
 * an idle bucket never holds more than {@code burst}. Meant as a per-backend limiter: one bucket
 * for each server.
 *
 * <p><b>Guarantee.</b> Over any stretch of time of length {@code t} (from creation or not), the
 * bucket admits at most {@code permitsPerSecond * t + burst} permits, however many threads call it,
 * where time is what the {@link Ticker} reads when a call starts. The bound is exact, not
 * statistical: the refill period is rounded up to a whole nanosecond, which can only admit less
 * (see {@link #tryAcquire(int)}). For example {@code TokenBucket.perSecond(100)} admits 100 permits
 * at once, then one every 10 ms.
 *
 * <p><b>Thread safety and cost.</b> Thread-safe, lock-free and allocation-free. {@link
 * #tryAcquire()} reads the ticker once and, when it admits, does one compare-and-set on a 64-bit
 * value alone on its cache line; a refusal writes nothing. A failed compare-and-set means another
 * thread was admitted, and is retried without reading the ticker again.
 */
public final class TokenBucket {

  /*
   * Design: GCRA, the "virtual scheduling" form of a token bucket.
   *
   * A classic bucket keeps two numbers, the tokens left and the time of the last refill, and a
   * lock-free version must swap both at once: an immutable state object behind an
   * AtomicReference (Resilience4j, Bucket4j: 40-64 bytes per call) or a lock (Guava). GCRA (the
   * Generic Cell Rate Algorithm of ATM networks) folds both into a single number, the theoretical
   * arrival time `tat`: the time at which the bucket would be full again if nothing more were
   * taken. With T the emission interval (nanoseconds per permit) and C = burst * T the capacity
   * in nanoseconds:
   *
   *   debt  = max(tat - now, 0)          how far the bucket is from full, in nanoseconds
   *   admit n permits iff debt + n*T <= C
   *   then  tat = now + debt + n*T       (= max(tat, now) + n*T)
   *
   * This is exactly a bucket holding (C - debt) / T tokens, refilled continuously at one token
   * per T nanoseconds and capped at burst. For one permit it is the textbook rule "admit iff
   * tat - now <= (burst - 1) * T", written so that it takes n permits at once. The bucket starts
   * full with tat = the creation time: the debt is zero, so up to burst permits fit, and no
   * "tat = now - burst * T" is needed.
   *
   * Why the bound holds, also under concurrency. The compare-and-set puts all admissions in one
   * order and makes each see the tat left by the one before. Each moves tat forward by n*T from
   * max(tat, now), never back, and leaves tat - now <= C. Take the admissions whose ticker
   * readings fall in [a, b], N permits in all, in that order: the first starts from a base of at
   * least its own reading, so at least a, and everything after only adds, so the last leaves
   * tat >= a + N*T; it also leaves tat <= its own reading + C <= b + C. Hence N*T <= b - a + C,
   * that is N <= (b - a)/T + burst. A thread whose reading went stale while it lost races only
   * sees more debt (its now is smaller), so it can only be refused more often; a ticker that
   * went backwards would likewise only add debt.
   *
   * Rounding. T = ceil(1e9 / rate), computed exactly in decimal from the double given. Since
   * T >= 1e9 / rate, (b - a)/T + burst <= rate*(b - a)/1e9 + burst: rounding can only
   * under-admit. The loss is below one nanosecond per permit, so the effective rate is
   * 1e9 / T >= rate / (1 + rate/1e9): under 0.1% of the rate up to a million a second, and up to
   * half of it only near the 1e9 maximum. Rates that divide 1e9 (1, 2, 4, 5, 8, 10, ..., 1000,
   * 250000) lose nothing.
   *
   * Wrap-around. Ticker values have an arbitrary origin and may overflow; only differences are
   * used (tat - now, now + debt + n*T taken modulo 2^64), so the bucket works across the wrap as
   * long as true differences stay below 2^63 ns (292 years). C is capped at 2^62 ns for that
   * reason; an idle period of 292 years would make the bucket look empty.
   *
   * Why no clock-free fast path. One could admit without reading the ticker when the bucket
   * still had room at the last reading ("lazy refill"). Such an admission is dated at that old
   * reading, which keeps the bound counted from creation but breaks it for later windows: with
   * burst 10, take 5 at time 0, stay idle an hour, take 5 more "as of time 0" without a reading,
   * and the next real reading finds a full bucket and admits 10 more, 15 within a microsecond. It
   * would also need a second shared word for the last reading, written on the slow path. The
   * ticker read (about 25 ns for System.nanoTime) stays the floor of the cost.
   */

  /**
   * The largest capacity in nanoseconds: 2^62 (146 years), so that tat - now and its sum with a
   * cost never overflow.
   */
  private static final long MAX_CAPACITY_NANOS = 1L << 62;

  private static final double MAX_PERMITS_PER_SECOND = 1e9;

  private final double permitsPerSecond;
  private final long burst;

  /** T: nanoseconds per permit, at least 1. */
  private final long intervalNanos;

  /** C = burst * T: nanoseconds from empty to full. */
  private final long capacityNanos;

  private final Ticker ticker;

  /** The theoretical arrival time, on its own cache line. */
  private final PaddedCounter tat;

  private TokenBucket(double permitsPerSecond, long burst, long intervalNanos, Ticker ticker) {
    this.permitsPerSecond = permitsPerSecond;
    this.burst = burst;
    this.intervalNanos = intervalNanos;
    this.capacityNanos = burst * intervalNanos;
    this.ticker = ticker;
    this.tat = new PaddedCounter(ticker.read());
  }

  /**
   * Returns a bucket that admits {@code permitsPerSecond} permits a second, with a burst of the
   * same number (one second's worth), reading {@link Ticker#system()}.
   *
   * @throws IllegalArgumentException if {@code permitsPerSecond} is not in {@code [1, 1e9]}
   */
  public static TokenBucket perSecond(int permitsPerSecond) {
    return create(permitsPerSecond, permitsPerSecond, Ticker.system());
  }

  /**
   * Returns a bucket that admits {@code permitsPerSecond} permits a second and holds at most {@code
   * burst}, full when created.
   *
   * @param permitsPerSecond the refill rate; above 0 and at most 1e9 (one permit a nanosecond)
   * @param burst the capacity, the most permits admitted at once; at least 1
   * @param ticker the time source, read once now and once per acquisition
   * @throws NullPointerException if {@code ticker} is null
   * @throws IllegalArgumentException if {@code permitsPerSecond} is not in {@code (0, 1e9]}, if
   *     {@code burst} is below 1, or if refilling {@code burst} permits would take longer than 2^62
   *     ns (146 years)
   */
  public static TokenBucket create(double permitsPerSecond, long burst, Ticker ticker) {
    Objects.requireNonNull(ticker, "ticker");
    if (!(permitsPerSecond > 0 && permitsPerSecond <= MAX_PERMITS_PER_SECOND)) {
      throw new IllegalArgumentException(
          "permitsPerSecond: "
              + permitsPerSecond
              + " (expected: > 0 and <= "
              + MAX_PERMITS_PER_SECOND
              + ")");
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
    // ceil(1e9 / rate), exactly: new BigDecimal(double) is the double's exact value.
    BigInteger interval =
        BigDecimal.valueOf(1_000_000_000L)
            .divide(new BigDecimal(permitsPerSecond), 0, RoundingMode.CEILING)
            .toBigIntegerExact();
    if (interval
            .multiply(BigInteger.valueOf(burst))
            .compareTo(BigInteger.valueOf(MAX_CAPACITY_NANOS))
        > 0) {
      throw new IllegalArgumentException(
          "burst: "
              + burst
              + " at "
              + permitsPerSecond
              + " permits per second (expected: a full refill within 2^62 ns, about 146 years)");
    }
    return new TokenBucket(permitsPerSecond, burst, interval.longValueExact(), ticker);
  }

  /**
   * Takes one permit if one is available now. Never blocks.
   *
   * <p>Cost: one ticker read and, on success, one compare-and-set; no allocation.
   *
   * @return whether the permit was granted
   */
  public boolean tryAcquire() {
    return tryAcquireNanos(intervalNanos);
  }

  /**
   * Takes {@code permits} permits if that many are available now, or none. Never blocks. A refusal
   * takes nothing, so a smaller request may still succeed.
   *
   * <p>Permits return one every {@code ceil(1e9 / permitsPerSecond)} nanoseconds: the interval is
   * rounded up to a whole nanosecond, so the rate can only come out lower, never higher. At 3 a
   * second, for instance, a permit comes back every 333,333,334 ns.
   *
   * @param permits how many to take, at least 1 and at most {@link #burst()}
   * @return whether the permits were granted
   * @throws IllegalArgumentException if {@code permits} is below 1 or above {@link #burst()}, so
   *     that it could never succeed
   */
  public boolean tryAcquire(int permits) {
    if (permits < 1 || permits > burst) {
      throw new IllegalArgumentException(
          "permits: " + permits + " (expected: >= 1 and <= " + burst + ")");
    }
    // permits <= burst, so permits * T <= C <= 2^62: no overflow.
    return tryAcquireNanos(permits * intervalNanos);
  }

  /** Admits {@code cost} nanoseconds' worth of permits if the bucket holds them. */
  private boolean tryAcquireNanos(long cost) {
    long now = ticker.read();
    long current = tat.get();
    while (true) {
      // Wrap-safe: only the difference is used; it is negative once the bucket is full again.
      long debt = Math.max(current - now, 0L);
      if (debt > capacityNanos - cost) {
        return false;
      }
      long witness = tat.compareAndExchange(current, now + debt + cost);
      if (witness == current) {
        return true;
      }
      // Another thread was admitted in between; decide again against its tat.
      current = witness;
    }
  }

  /**
   * Returns how many permits {@link #tryAcquire(int)} could take right now, from 0 to {@link
   * #burst()}. A snapshot: other threads may take permits, and time passes, before the caller acts
   * on it. Reads the ticker once.
   */
  public long availablePermits() {
    long debt = Math.max(tat.get() - ticker.read(), 0L);
    return Math.max(capacityNanos - debt, 0L) / intervalNanos;
  }

  /**
   * Returns how many nanoseconds from now until {@link #tryAcquire()} could take a permit: 0 if it
   * could now. Reads the ticker once; a snapshot, as {@link #availablePermits()} is.
   */
  long nanosUntilPermit() {
    long debt = Math.max(tat.get() - ticker.read(), 0L);
    return Math.max(debt + intervalNanos - capacityNanos, 0L);
  }

  /** Returns the rate this bucket was created with, in permits per second. */
  public double permitsPerSecond() {
    return permitsPerSecond;
  }

  /** Returns the capacity: the most permits admitted at once. */
  public long burst() {
    return burst;
  }

  /** Returns {@code TokenBucket{permitsPerSecond=100.0, burst=100}}. Does not read the ticker. */
  @Override
  public String toString() {
    return "TokenBucket{permitsPerSecond=" + permitsPerSecond + ", burst=" + burst + "}";
  }
}
