package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void isEmptyAtFirst() {
    assertThat(new LatencyHistogram().summary())
        .isEqualTo(new LatencyHistogram.Summary(0, 0, 0, 0));
  }

  @Test
  void smallValuesAreExact() {
    LatencyHistogram h = new LatencyHistogram();
    for (long v = 1; v <= 9; v++) {
      h.record(v);
    }
    LatencyHistogram.Summary s = h.summary();
    assertThat(s.count()).isEqualTo(9);
    assertThat(s.p50()).isEqualTo(5);
    assertThat(s.p99()).isEqualTo(9);
    assertThat(s.max()).isEqualTo(9);
  }

  @Test
  void percentilesAreWithinOneSixteenthAbove() {
    LatencyHistogram h = new LatencyHistogram();
    List<Long> values = new ArrayList<>();
    Random random = new Random(3);
    for (int i = 0; i < 10_000; i++) {
      long v = 1_000 + (long) (random.nextDouble() * 100_000_000);
      values.add(v);
      h.record(v);
    }
    values.sort(null);
    long trueP50 = values.get(4_999);
    long trueP99 = values.get(9_899);
    LatencyHistogram.Summary s = h.summary();
    assertThat(s.p50()).isBetween(trueP50, trueP50 + trueP50 / 16);
    assertThat(s.p99()).isBetween(trueP99, trueP99 + trueP99 / 16);
    assertThat(s.max()).isEqualTo(values.get(9_999));
  }

  @Test
  void negativeDurationsCountAsZero() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    assertThat(h.summary()).isEqualTo(new LatencyHistogram.Summary(1, 0, 0, 0));
  }

  @Test
  void recordsFromManyThreadsWithoutLosingCounts() throws Exception {
    LatencyHistogram h = new LatencyHistogram();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int offset = t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 25_000; i++) {
                  h.record(offset * 1_000L + i);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(h.summary().count()).isEqualTo(100_000);
    assertThat(h.summary().max()).isEqualTo(3_000L + 24_999);
  }

  /** Every value lands in a bucket whose bounds contain it, and buckets are ordered. */
  @Property(tries = 2_000)
  void bucketsContainTheirValues(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long value) {
    int bucket = LatencyHistogram.bucketOf(value);
    assertThat(LatencyHistogram.upperBoundOf(bucket)).isGreaterThanOrEqualTo(value);
    if (bucket > 0) {
      assertThat(LatencyHistogram.upperBoundOf(bucket - 1)).isLessThan(value);
    }
    // relative width of a bucket: at most 1/16 of its lower bound
    long upper = LatencyHistogram.upperBoundOf(bucket);
    assertThat((double) (upper - value)).isLessThanOrEqualTo(Math.max(0, value / 16.0));
  }
}
