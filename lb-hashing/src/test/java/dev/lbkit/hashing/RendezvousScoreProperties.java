package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The weighted rendezvous score over all 64-bit hashes: jqwik draws longs with a bias to edge
 * values (0, -1, Long.MIN_VALUE, Long.MAX_VALUE and their neighbours), where a score once came out
 * as minus infinity.
 */
class RendezvousScoreProperties {

  @Property(tries = 2000)
  void everyHashScoresFinitePositive(
      @ForAll long h, @ForAll @IntRange(min = 1, max = Placement.MAX_WEIGHT) int weight) {
    assertThat(Rendezvous.unitInterval(h)).isGreaterThan(0.0).isLessThan(1.0);
    assertThat(Rendezvous.score(h, weight)).isFinite().isPositive();
  }

  @Property(tries = 2000)
  void aHigherHashNeverScoresLower(@ForAll long a, @ForAll long b) {
    long low = Long.compareUnsigned(a, b) <= 0 ? a : b;
    long high = low == a ? b : a;
    assertThat(Rendezvous.score(high, 1)).isGreaterThanOrEqualTo(Rendezvous.score(low, 1));
  }
}
