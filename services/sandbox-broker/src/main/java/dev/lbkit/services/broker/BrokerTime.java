package dev.lbkit.services.broker;

import dev.lbkit.core.Ticker;
import java.util.Objects;

/**
 * The broker's one time source: wall-clock milliseconds (stored in the table) derived from an lbkit
 * {@link Ticker}, so tests drive every job and expiry with one {@code FakeClock}.
 */
public final class BrokerTime {
  private final Ticker ticker;
  private final long epochMillisAtStart;
  private final long tickerAtStart;

  /** Reads wall time as {@code epochMillisAtStart} plus what {@code ticker} has moved since now. */
  public BrokerTime(Ticker ticker, long epochMillisAtStart) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.epochMillisAtStart = epochMillisAtStart;
    this.tickerAtStart = ticker.read();
  }

  /** Returns the system's time. */
  @SuppressWarnings("JavaUtilDate") // the one reading of the wall clock
  public static BrokerTime system() {
    return new BrokerTime(Ticker.system(), System.currentTimeMillis());
  }

  /** Returns the time, epoch milliseconds. */
  public long millis() {
    return epochMillisAtStart + (ticker.read() - tickerAtStart) / 1_000_000;
  }

  /** Returns the ticker (for rate limits and latencies). */
  public Ticker ticker() {
    return ticker;
  }
}
