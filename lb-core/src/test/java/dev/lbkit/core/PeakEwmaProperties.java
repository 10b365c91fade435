package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link PeakEwma}'s estimate under any run of observations, on a fake ticker starting anywhere.
 */
class PeakEwmaProperties {

  private static final Duration TAU = Duration.ofSeconds(10);
  private static final long MS = 1_000_000L;

  /**
   * A run of observations: {@code gapMillis} after the previous one, {@code latencyMillis} long.
   */
  record Observation(int gapMillis, int latencyMillis) {}

  @Provide
  Arbitrary<List<Observation>> observations() {
    Arbitrary<Integer> gap =
        Arbitraries.integers().between(-5_000, 40_000).map(g -> Math.max(0, g));
    Arbitrary<Integer> latency = Arbitraries.integers().between(0, 3_000);
    return Combinators.combine(gap, latency).as(Observation::new).list().ofMinSize(1).ofMaxSize(50);
  }

  /**
   * Whatever the observations: a sample at least the estimate becomes the estimate; a lower one
   * leaves it between the sample and the estimate before; it never exceeds the highest sample.
   */
  @Property(tries = 300)
  void theEstimateIsThePeakOrABlendNeverMore(
      @ForAll("observations") List<Observation> observations, @ForAll long start) {
    FakeTicker clock = new FakeTicker(start);
    Server a = new Server("10.9.0.1", 80);
    PeakEwma picker = new PeakEwma(List.of(a), clock, RandomSources.seeded(1), TAU);
    double highest = 0;
    for (Observation o : observations) {
      clock.advance(Duration.ofMillis(o.gapMillis()));
      double before = picker.estimateNanos(a);
      double sample = o.latencyMillis() * (double) MS;
      picker.observe(a, o.latencyMillis() * MS);
      double after = picker.estimateNanos(a);
      highest = Math.max(highest, sample);
      if (sample >= before) {
        assertThat(after).isEqualTo(sample);
      } else {
        assertThat(after).isBetween(sample, before);
      }
      assertThat(after).isLessThanOrEqualTo(highest);
    }
  }
}
