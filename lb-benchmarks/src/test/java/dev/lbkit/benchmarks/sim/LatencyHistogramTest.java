package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The histogram: exact small values, buckets within 1/1,024, nearest-rank percentiles. */
class LatencyHistogramTest {

  @Test
  void everyValueFallsInTheBucketThatCoversIt() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 100_000; i++) {
      long v = random.nextLong(1L << random.nextInt(1, 62));
      int index = LatencyHistogram.index(v);
      long low = LatencyHistogram.lowest(index);
      long width = LatencyHistogram.width(index);
      assertThat(v).isBetween(low, low + width - 1);
      assertThat((double) width).isLessThanOrEqualTo(Math.max(1, low / 1024.0));
    }
    assertThat(LatencyHistogram.index(2047)).isEqualTo(2047);
    assertThat(LatencyHistogram.width(2047)).isEqualTo(1);
    assertThat(LatencyHistogram.index(Long.MAX_VALUE)).isLessThan(64 * 1024);
  }

  @Test
  void percentilesAreNearestRankAndExactForSmallValues() {
    LatencyHistogram h = new LatencyHistogram();
    for (long v = 1; v <= 1_000; v++) {
      h.record(v, v <= 900);
    }
    LatencySummary s = h.summary();
    assertThat(s.p50Nanos()).isEqualTo(500);
    assertThat(s.p90Nanos()).isEqualTo(900);
    assertThat(s.p99Nanos()).isEqualTo(990);
    assertThat(s.p999Nanos()).isEqualTo(999);
    assertThat(s.maxNanos()).isEqualTo(1_000);
    assertThat(s.meanNanos()).isEqualTo(500.5);
    assertThat(s.successRate()).isEqualTo(0.9);
  }

  @Test
  void largeValuesAreWithinAHalfPerMilleOfTheExactPercentile() {
    SplittableRandom random = new SplittableRandom(3);
    long[] values = new long[200_001];
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.round(random.nextExponential() * 20e6);
      h.record(values[i], true);
    }
    Arrays.sort(values);
    for (double p : new double[] {0.5, 0.9, 0.99, 0.999}) {
      double exact = values[(int) Math.ceil(values.length * p) - 1];
      assertThat(h.percentile(p)).as("p%s", p).isCloseTo(exact, within(exact * 0.0005));
    }
  }

  @Test
  void refusalsAreFailuresWithoutLatencyAndNegativeLatenciesAreRefused() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(5, true);
    h.refuse();
    assertThat(h.summary().successRate()).isEqualTo(0.5);
    assertThat(h.summary().refused()).isEqualTo(1);
    assertThatThrownBy(() -> h.record(-1, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("latencyNanos: -1 (expected: >= 0)");
    assertThat(new LatencyHistogram().summary().successRate()).isEqualTo(1);
  }
}
