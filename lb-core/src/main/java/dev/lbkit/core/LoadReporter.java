package dev.lbkit.core;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The server side of {@link Algorithm#PREQUAL}: counts the server's requests in flight (RIF) and
 * estimates how long a request arriving now would take, for the server to answer probes with {@link
 * #snapshot()}. Embed one per server and bracket every request:
 *
 * <pre>{@code
 * long token = reporter.begin();
 * try {
 *   handle(request);
 * } finally {
 *   reporter.end(token);
 * }
 * }</pre>
 *
 * <p>The latency estimate follows Prequal's idea that latency depends on load: completed requests
 * are grouped by the RIF they found when they arrived (groups 0, 1, 2-3, 4-7, ... by powers of
 * two), each group keeps an exponentially weighted moving average of its latencies (each new
 * latency weighs 1/8), and {@link #snapshot()} reports the average of the group of the current RIF,
 * or of the nearest group that has one. (The paper keeps recent latencies per RIF and reports their
 * median; the moving average is a lock-free, allocation-free stand-in.)
 *
 * <p>Thread-safe and lock-free: {@link #begin()} and {@link #end(long)} are one atomic update each
 * plus, for {@code end}, a compare-and-set loop on one group; neither allocates.
 */
public final class LoadReporter {

  private static final int GROUPS = 32; // RIF groups: 0, 1, 2-3, ..., 2^30 and more
  private static final long GROUP_MASK = GROUPS - 1; // the token's low bits hold the group
  private static final int SHIFT = 3; // each new latency weighs 1/2^SHIFT

  private final Ticker ticker;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLongArray averages = new AtomicLongArray(GROUPS); // nanos; 0: none yet

  private LoadReporter(Ticker ticker) {
    this.ticker = ticker;
  }

  /** Returns a reporter timed by the system ticker. */
  public static LoadReporter create() {
    return create(Ticker.system());
  }

  /** Returns a reporter timed by {@code ticker}. */
  public static LoadReporter create(Ticker ticker) {
    return new LoadReporter(Objects.requireNonNull(ticker, "ticker"));
  }

  /**
   * Counts a request that starts now and returns the token to give {@link #end(long)} when it
   * finishes. The token is opaque: the start time (to 32 ns) and the RIF group it arrived at.
   */
  public long begin() {
    long now = ticker.read();
    int rif = inFlight.getAndIncrement();
    return (now & ~GROUP_MASK) | group(rif);
  }

  /**
   * Counts the end of the request that {@link #begin()} returned {@code token} for, and records its
   * latency. Calling it twice for one token counts the request out twice; the count never goes
   * below 0.
   */
  public void end(long token) {
    long latency = Math.max(0, ticker.read() - (token & ~GROUP_MASK));
    int group = (int) (token & GROUP_MASK);
    inFlight.getAndUpdate(n -> n > 0 ? n - 1 : 0);
    while (true) {
      long old = averages.get(group);
      long next = old == 0 ? Math.max(1, latency) : Math.max(1, old + ((latency - old) >> SHIFT));
      if (averages.compareAndSet(group, old, next)) {
        return;
      }
    }
  }

  /** Returns the requests in flight now. */
  public int requestsInFlight() {
    return inFlight.get();
  }

  /**
   * Returns the latency estimate, in nanoseconds, for a request that would find {@code rif}
   * requests in flight: the average of its RIF group, else of the nearest group with one, else 0.
   */
  public long latencyEstimateNanos(int rif) {
    if (rif < 0) {
      throw new IllegalArgumentException("rif: " + rif + " (expected: >= 0)");
    }
    int g = group(rif);
    for (int d = 0; d < GROUPS; d++) {
      if (g - d >= 0 && averages.get(g - d) != 0) {
        return averages.get(g - d);
      }
      if (g + d < GROUPS && averages.get(g + d) != 0) {
        return averages.get(g + d);
      }
    }
    return 0;
  }

  /** Returns the report a probe should get now: the RIF and the latency estimate at that RIF. */
  public LoadReport snapshot() {
    int rif = inFlight.get();
    return new LoadReport(rif, latencyEstimateNanos(rif));
  }

  /** The group of a RIF: 0 for 0, then one group per power of two, the last open-ended. */
  private static int group(int rif) {
    return Math.min(GROUPS - 1, 32 - Integer.numberOfLeadingZeros(rif));
  }

  @Override
  public String toString() {
    return "LoadReporter{inFlight=" + inFlight.get() + "}";
  }
}
