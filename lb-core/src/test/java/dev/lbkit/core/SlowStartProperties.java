package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

class SlowStartProperties {

  /** The factor stays in [min, 1], never falls as time passes, and is 1 from the window on. */
  @Property
  void theFactorRisesFromTheFloorToOneOverTheWindow(
      @ForAll @LongRange(min = 1, max = 3_600_000) long windowMillis,
      @ForAll @DoubleRange(min = 0.05, max = 20) double aggression,
      @ForAll @DoubleRange(min = 0, max = 100) double minWeightPercent,
      @ForAll @LongRange(min = 0, max = 7_200_000) long t1,
      @ForAll @LongRange(min = 0, max = 7_200_000) long t2) {
    SlowStart slowStart =
        SlowStart.of(Duration.ofMillis(windowMillis))
            .withAggression(aggression)
            .withMinWeightPercent(minWeightPercent);
    long early = Math.min(t1, t2);
    long late = Math.max(t1, t2);
    double f1 = slowStart.weightFactor(Duration.ofMillis(early));
    double f2 = slowStart.weightFactor(Duration.ofMillis(late));

    assertThat(f1).isBetween(Math.min(1.0, minWeightPercent / 100), 1.0);
    assertThat(f2).isGreaterThanOrEqualTo(f1);
    if (late >= windowMillis) {
      assertThat(f2).isEqualTo(1.0);
    }
  }
}
