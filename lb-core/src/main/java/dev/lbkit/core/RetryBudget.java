package dev.lbkit.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Caps retries so that they cannot multiply the load on backends that are already failing. Each
 * first attempt ({@link #recordRequest()}) deposits {@link #retryRatio()} of a retry; each retry
 * ({@link #tryRetry()}) withdraws a whole one. On top of that a floor of {@link
 * #minRetriesPerSecond()} retries a second is always available, so that a client with little
 * traffic can still retry. Finagle's {@code RetryBudget} works the same way.
 *
 * <p>With the defaults (ratio 0.2, floor 10 a second) and 1,000 requests, at most 200 retries are
 * allowed plus 10 a second; during an outage a client sends at most 1.2 times its normal load plus
 * the floor, instead of the 2 or 3 times that unbudgeted retries produce.
 *
 * <p><b>Guarantee.</b> In the first {@code t} seconds after creation, the retries allowed never
 * exceed {@code retryRatio} times the requests recorded (with the ratio rounded to millionths, see
 * {@link #create}) plus {@code minRetriesPerSecond * (t + 1)}, however many threads call it.
 *
 * <p><b>The balance is capped</b> at the deposits of 1,000 requests ({@code retryRatio * 1000}
 * retries, at least 1). Without a cap, a long healthy period would bank an unbounded number of
 * retries, and a later outage could spend them all at once: the retry storm the budget exists to
 * prevent. Unlike Finagle's budget, deposits do not expire with time, so a client with very little
 * traffic can bank the full cap over a long quiet period.
 *
 * <p><b>Thread safety and cost.</b> Thread-safe, lock-free and allocation-free. {@link
 * #recordRequest()} is a compare-and-set on one 64-bit balance while it is below its cap, and only
 * a read once it is full, which is the normal state of a healthy client. {@link #tryRetry()} is one
 * compare-and-set when the balance holds a retry; otherwise it falls back to the floor, a {@link
 * TokenBucket} (one ticker read).
 */
public final class RetryBudget {

  /** Fixed point: the balance is kept in millionths of a retry. */
  private static final long UNITS_PER_RETRY = 1_000_000L;

  /** The balance holds at most the deposits of this many requests. */
  private static final long CAP_REQUESTS = 1_000L;

  private static final double MAX_RETRY_RATIO = 1_000;

  /** Large enough for any use, small enough for a {@link TokenBucket}. */
  private static final int MAX_MIN_RETRIES_PER_SECOND = 1_000_000_000;

  private static final VarHandle BALANCE;

  static {
    try {
      BALANCE = MethodHandles.lookup().findVarHandle(RetryBudget.class, "balance", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final double retryRatio;
  private final int minRetriesPerSecond;

  /** Units deposited per request: retryRatio * 1e6, rounded; at most 1e9. */
  private final long deposit;

  /** The most units the balance holds: max(1, retryRatio * 1000) retries; at most 1e12. */
  private final long cap;

  /** The floor, or null when {@code minRetriesPerSecond} is 0. */
  private final @Nullable TokenBucket floor;

  /**
   * Units of retries deposited and not yet withdrawn, in {@code [0, cap]}. Starts empty. Kept here,
   * not on a padded line: once the balance is full, requests only read it.
   */
  @SuppressWarnings("FieldMayBeFinal") // written through BALANCE
  private volatile long balance;

  private RetryBudget(double retryRatio, int minRetriesPerSecond, Ticker ticker) {
    this.retryRatio = retryRatio;
    this.minRetriesPerSecond = minRetriesPerSecond;
    this.deposit = Math.round(retryRatio * UNITS_PER_RETRY);
    this.cap = Math.max(UNITS_PER_RETRY, deposit * CAP_REQUESTS);
    this.floor =
        minRetriesPerSecond == 0
            ? null
            : TokenBucket.create(minRetriesPerSecond, minRetriesPerSecond, ticker);
  }

  /**
   * Returns a budget that allows {@code retryRatio} retries per request recorded, plus {@code
   * minRetriesPerSecond} retries a second.
   *
   * @param retryRatio the retries each first attempt earns, from 0 to 1000; rounded to a whole
   *     number of millionths (so a ratio below 5e-7 earns nothing)
   * @param minRetriesPerSecond the floor, available even without requests, at most that many at
   *     once; 0 for none
   * @param ticker the time source of the floor
   * @throws NullPointerException if {@code ticker} is null
   * @throws IllegalArgumentException if {@code retryRatio} is not in {@code [0, 1000]} or {@code
   *     minRetriesPerSecond} is not in {@code [0, 1e9]}
   */
  public static RetryBudget create(double retryRatio, int minRetriesPerSecond, Ticker ticker) {
    Objects.requireNonNull(ticker, "ticker");
    if (!(retryRatio >= 0 && retryRatio <= MAX_RETRY_RATIO)) {
      throw new IllegalArgumentException(
          "retryRatio: " + retryRatio + " (expected: >= 0 and <= " + MAX_RETRY_RATIO + ")");
    }
    if (minRetriesPerSecond < 0 || minRetriesPerSecond > MAX_MIN_RETRIES_PER_SECOND) {
      throw new IllegalArgumentException(
          "minRetriesPerSecond: "
              + minRetriesPerSecond
              + " (expected: >= 0 and <= "
              + MAX_MIN_RETRIES_PER_SECOND
              + ")");
    }
    return new RetryBudget(retryRatio, minRetriesPerSecond, ticker);
  }

  /**
   * Returns a budget of 0.2 retries per request plus 10 retries a second, reading {@link
   * Ticker#system()}: Finagle's defaults.
   */
  public static RetryBudget defaults() {
    return create(0.2, 10, Ticker.system());
  }

  /**
   * Records a first attempt, which earns {@link #retryRatio()} of a retry. Call it once per
   * request, not for retries. Lock-free; no allocation; only a read once the balance is at its cap.
   */
  public void recordRequest() {
    if (deposit == 0) {
      return;
    }
    long current = balance;
    while (current < cap) {
      // current < cap <= 1e12 and deposit <= 1e9: no overflow.
      long witness =
          (long) BALANCE.compareAndExchange(this, current, Math.min(current + deposit, cap));
      if (witness == current) {
        return;
      }
      current = witness;
    }
  }

  /**
   * Withdraws one retry, from the balance earned by requests or else from the floor. Lock-free; no
   * allocation.
   *
   * @return whether the retry may be sent; if false, nothing was withdrawn and the caller should
   *     give up (fail the request) rather than retry
   */
  public boolean tryRetry() {
    long current = balance;
    while (current >= UNITS_PER_RETRY) {
      long witness = (long) BALANCE.compareAndExchange(this, current, current - UNITS_PER_RETRY);
      if (witness == current) {
        return true;
      }
      current = witness;
    }
    TokenBucket floor = this.floor;
    return floor != null && floor.tryAcquire();
  }

  /** Returns the retries each request earns, as given to {@link #create}. */
  public double retryRatio() {
    return retryRatio;
  }

  /** Returns the retries a second available without requests; 0 for none. */
  public int minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  /**
   * Returns {@code RetryBudget{retryRatio=0.2, minRetriesPerSecond=10, balance=3.4}}, the balance
   * in retries as of the call. Does not read the ticker.
   */
  @Override
  public String toString() {
    return "RetryBudget{retryRatio="
        + retryRatio
        + ", minRetriesPerSecond="
        + minRetriesPerSecond
        + ", balance="
        + (double) balance / UNITS_PER_RETRY
        + "}";
  }
}
