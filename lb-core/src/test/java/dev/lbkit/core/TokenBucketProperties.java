package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class TokenBucketProperties {

  private static final BigDecimal SECOND = BigDecimal.valueOf(1_000_000_000L);

  /** One call: {@code gap} intervals after the previous one, asking for {@code permits}. */
  record Arrival(double gap, int permits) {}

  @Provide
  Arbitrary<List<Arrival>> arrivals() {
    // Gaps of 0 to 3 intervals, a quarter of them 0: bursts of simultaneous calls, and calls
    // faster and slower than the refill.
    Arbitrary<Double> gap = Arbitraries.doubles().between(-1, 3).map(g -> Math.max(0, g));
    Arbitrary<Integer> permits = Arbitraries.integers().between(1, 4);
    return Combinators.combine(gap, permits).as(Arrival::new).list().ofMaxSize(200);
  }

  /** Rates from 0.01 to 1e7 a second, spread evenly over the exponent. */
  @Provide
  Arbitrary<Double> rates() {
    return Arbitraries.doubles().between(-2, 7).map(exponent -> Math.pow(10, exponent));
  }

  /** Integer rates from 1 to 1e9 a second, spread over the exponent. */
  @Provide
  Arbitrary<Integer> integerRates() {
    return Arbitraries.doubles()
        .between(0, 9)
        .map(exponent -> (int) Math.round(Math.min(1e9, Math.pow(10, exponent))));
  }

  /**
   * For every window [a, b] between two calls, the permits admitted by calls in it are at most
   * {@code rate * (b - a) + burst}, checked in exact decimal arithmetic against the double rate as
   * given. The ticker starts anywhere, wrap-around included.
   */
  @Property(tries = 500)
  void neverAdmitsMoreThanRateTimesWindowPlusBurst(
      @ForAll("rates") double rate,
      @ForAll @IntRange(min = 1, max = 20) int burst,
      @ForAll long start,
      @ForAll("arrivals") List<Arrival> arrivals) {
    FakeTicker ticker = new FakeTicker(start);
    TokenBucket bucket = TokenBucket.create(rate, burst, ticker);
    BigDecimal exactRate = new BigDecimal(rate);
    BigDecimal burstNanos = BigDecimal.valueOf(burst).multiply(SECOND);
    double interval = 1e9 / rate;
    // With P(j) the permits admitted by calls 0..j and t(j) the time of call j, the window from
    // call i to call j holds P(j) - P(i-1) permits. Scaled by 1e9, the bound for all i <= j reads
    // max_j (P(j)*1e9 - rate*t(j)) - min_{i<=j} (P(i-1)*1e9 - rate*t(i)) <= burst*1e9.
    BigDecimal minStart = null;
    long admitted = 0;
    for (Arrival arrival : arrivals) {
      ticker.advanceNanos((long) (arrival.gap() * interval));
      BigDecimal time = BigDecimal.valueOf(ticker.read() - start); // wrap-safe difference
      BigDecimal startTerm =
          BigDecimal.valueOf(admitted).multiply(SECOND).subtract(exactRate.multiply(time));
      minStart = minStart == null || startTerm.compareTo(minStart) < 0 ? startTerm : minStart;
      int permits = Math.min(arrival.permits(), burst);
      if (bucket.tryAcquire(permits)) {
        admitted += permits;
      }
      BigDecimal endTerm =
          BigDecimal.valueOf(admitted).multiply(SECOND).subtract(exactRate.multiply(time));
      assertThat(endTerm.subtract(minStart)).isLessThanOrEqualTo(burstNanos);
      // From creation (time 0): admitted <= rate * t + burst.
      assertThat(endTerm).isLessThanOrEqualTo(burstNanos);
    }
  }

  /**
   * Call for call, the bucket decides exactly as a classic token bucket: a level of credit in
   * nanoseconds, full at creation, refilled by the time elapsed and capped at burst intervals, of
   * which a take of n permits needs n intervals. The interval is {@code ceil(1e9 / rate)}, computed
   * here in integers.
   */
  @Property(tries = 500)
  void decidesExactlyAsAClassicTokenBucket(
      @ForAll("integerRates") int rate,
      @ForAll @IntRange(min = 1, max = 20) int burst,
      @ForAll long start,
      @ForAll("arrivals") List<Arrival> arrivals) {
    FakeTicker ticker = new FakeTicker(start);
    TokenBucket bucket = TokenBucket.create(rate, burst, ticker);
    long interval = (1_000_000_000L + rate - 1) / rate;
    long capacity = burst * interval;
    long level = capacity;
    long last = start;
    for (Arrival arrival : arrivals) {
      ticker.advanceNanos((long) (arrival.gap() * interval));
      long now = ticker.read();
      level = Math.min(capacity, level + (now - last));
      last = now;
      assertThat(bucket.availablePermits()).isEqualTo(level / interval);
      int permits = Math.min(arrival.permits(), burst);
      boolean expected = level >= permits * interval;
      if (expected) {
        level -= permits * interval;
      }
      assertThat(bucket.tryAcquire(permits)).isEqualTo(expected);
    }
  }
}
