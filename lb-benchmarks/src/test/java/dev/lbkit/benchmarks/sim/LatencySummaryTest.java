package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Exact nearest-rank percentiles, the success count, and the log that feeds them. */
class LatencySummaryTest {

  @Test
  void percentilesAreNearestRankOverTheSortedLatencies() {
    long[] thousand = LongStream.rangeClosed(1, 1_000).toArray();
    assertThat(LatencySummary.of(thousand, 1_000))
        .isEqualTo(new LatencySummary(1_000, 1_000, 500, 990, 999, 1_000));

    long[] hundred = LongStream.rangeClosed(1, 100).toArray();
    assertThat(LatencySummary.of(hundred, 0))
        .isEqualTo(new LatencySummary(100, 0, 50, 99, 100, 100));

    // ceil(n p) without floating point: 60,000 x 0.999 = 59,940 exactly, not 59,941.
    long[] sixtyThousand = LongStream.rangeClosed(1, 60_000).toArray();
    assertThat(LatencySummary.perMille(sixtyThousand, 999)).isEqualTo(59_940);
    assertThat(LatencySummary.perMille(sixtyThousand, 990)).isEqualTo(59_400);
  }

  @Test
  void oneLatencyIsEveryPercentile() {
    assertThat(LatencySummary.of(new long[] {42}, 41))
        .isEqualTo(new LatencySummary(1, 0, 42, 42, 42, 42));
  }

  @Test
  void aLatencyEqualToTheBoundIsASuccess() {
    LatencySummary summary = LatencySummary.of(new long[] {1, 5, 5, 6}, 5);
    assertThat(summary.successes()).isEqualTo(3);
    assertThat(summary.successRate()).isEqualTo(0.75);
  }

  @Test
  void theLogGrowsSortsAndRefusesNegativeLatencies() {
    LatencyLog log = new LatencyLog(1);
    for (long i = 100; i >= 1; i--) {
      log.add(i * 10);
    }
    assertThat(log.size()).isEqualTo(100);
    assertThat(log.summarize(500)).isEqualTo(new LatencySummary(100, 50, 500, 990, 1_000, 1_000));
    assertThatThrownBy(() -> log.add(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("latencyNanos: -1 (expected: >= 0)");
    assertThatThrownBy(() -> LatencySummary.of(new long[0], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("latencies: [] (expected: at least one)");
  }
}
