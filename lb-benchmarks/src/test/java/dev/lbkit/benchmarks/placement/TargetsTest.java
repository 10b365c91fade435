package dev.lbkit.benchmarks.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.benchmarks.placement.Quality.Balance;
import dev.lbkit.benchmarks.placement.Quality.Disruption;
import dev.lbkit.benchmarks.placement.QualityAnalysis.Row;
import dev.lbkit.benchmarks.placement.Targets.Target;
import dev.lbkit.benchmarks.placement.Targets.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Verdicts on hand-made results. */
class TargetsTest {

  private static Verdict verdict(String goalStart, Results results) {
    for (Target t : Targets.all()) {
      if (t.goal().startsWith(goalStart) && !t.placement().startsWith("bounded loads, c=1.10")) {
        return t.check().apply(results);
      }
    }
    throw new AssertionError("no target " + goalStart);
  }

  private static Target target(String placement, String goalStart) {
    return Targets.all().stream()
        .filter(t -> t.placement().equals(placement) && t.goal().startsWith(goalStart))
        .findFirst()
        .orElseThrow();
  }

  private static Row row(String id, int n, double maxOverMean, double moved, double collateral) {
    Disruption d = new Disruption(moved, collateral);
    return new Row(
        Candidates.byId(id),
        n,
        1_000_000,
        new Balance(maxOverMean, 0.9),
        OptionalDouble.empty(),
        d,
        3,
        d,
        3);
  }

  @Test
  void aLookupBoundIsReachedOnlyWithinTimeAndWithoutAllocation() {
    Target ring = target("ring, 150 vnodes", "lookup");

    Verdict fast = ring.check().apply(lookups("ring", 30, 0));
    Verdict slow = ring.check().apply(lookups("ring", 36, 0));
    Verdict allocating = ring.check().apply(lookups("ring", 30, 24));
    Verdict absent = ring.check().apply(new Results(List.of(), List.of()));

    assertThat(fast).isEqualTo(new Verdict("30.0 ns, 0 B", Targets.YES));
    assertThat(slow.reached()).isEqualTo(Targets.NO);
    assertThat(allocating).isEqualTo(new Verdict("30.0 ns, 24 B", Targets.NO));
    assertThat(absent).isEqualTo(new Verdict("–", Targets.NOT_MEASURED));
  }

  @Test
  void minimalDisruptionNeedsTheRangeAndNoCollateralAtEverySize() {
    Target ring = target("ring, 150 vnodes", "removal");
    List<Row> good = new ArrayList<>();
    List<Row> collateral = new ArrayList<>();
    for (int n : Candidates.SIZES) {
      good.add(row("ring", n, 1.2, 1.01, 0));
      collateral.add(row("ring", n, 1.2, 1.01, n == 1000 ? 0.001 : 0));
    }

    assertThat(ring.check().apply(new Results(List.of(), good)))
        .isEqualTo(
            new Verdict(
                "n=10: 1.010, collateral 0; n=100: 1.010, collateral 0;"
                    + " n=1,000: 1.010, collateral 0",
                Targets.YES));
    assertThat(ring.check().apply(new Results(List.of(), collateral)).reached())
        .isEqualTo(Targets.NO);
  }

  @Test
  void simulatedFiguresAreJudgedWithinTheirTolerance() {
    Target maglev = target("Maglev, 65,537 slots", "removal: moved/ideal ~1.6");

    assertThat(maglev.check().apply(new Results(List.of(), List.of(row("maglev", 100, 1, 1.5, 0)))))
        .isEqualTo(new Verdict("1.50", Targets.CLOSE));
    assertThat(maglev.check().apply(new Results(List.of(), List.of(row("maglev", 100, 1, 1.2, 0)))))
        .isEqualTo(new Verdict("1.20", Targets.DIFFERS));
  }

  @Test
  void theCapIsCeilOfTheFactorTimesTheMean() {
    Row row = row("bounded-ring", 1000, 1.25, 1, 0); // 10^6 keys on 1,000 nodes: mean 1,000

    assertThat(Targets.capOverMean(row, 1.25)).isEqualTo(1.25);
    assertThat(Targets.capOverMean(row("bounded-ring", 3, 1, 1, 0), 1.25))
        .isEqualTo(416_667 / (1_000_000 / 3.0)); // ceil(1.25 x 333,333.3)
    assertThat(verdict("max/mean ≤ 1.25", new Results(List.of(), List.of())).reached())
        .isEqualTo(Targets.NOT_MEASURED);
  }

  @Test
  void mementoIsJudgedWithTenPercentRemovedAtAThousandNodes() {
    Results fast =
        new Results(
            List.of(new Cost("memento-removed", "lookup", 1000, 25, Double.NaN, 0)), List.of());
    Results onlyFull =
        new Results(List.of(new Cost("memento", "lookup", 1000, 25, Double.NaN, 0)), List.of());

    assertThat(target("Memento jump", "lookup").check().apply(fast))
        .isEqualTo(new Verdict("25.0 ns, 0 B", Targets.YES));
    assertThat(target("Memento jump", "lookup").check().apply(onlyFull).reached())
        .isEqualTo(Targets.NOT_MEASURED);
  }

  @Test
  void mementoMustLoseAnyNodeMinimallyAtEverySizeAndAfterRemovals() {
    Target any = target("Memento jump", "removal of the first, middle or last node");
    Target afterRemovals = target("Memento jump", "the same from n=1,000 with 10% removed");
    List<Row> rows = new ArrayList<>();
    for (int n : Candidates.SIZES) {
      rows.add(row("memento", n, 1.05, 1.0, 0));
    }
    rows.add(row("memento-removed", 1000, 1.1, 1.02, 0));
    Results results = new Results(List.of(), rows);

    assertThat(any.check().apply(results).reached()).isEqualTo(Targets.YES);
    assertThat(afterRemovals.check().apply(results))
        .isEqualTo(new Verdict("1.020, collateral 0", Targets.YES));
    rows.set(3, row("memento-removed", 1000, 1.1, 1.02, 0.0001));
    assertThat(afterRemovals.check().apply(new Results(List.of(), rows)).reached())
        .isEqualTo(Targets.NO);
  }

  @Test
  void aBalanceBoundBelowTheSamplingFloorIsMissedWithThatReason() {
    Target balance = target("Memento jump", "balance");
    Row floor = row("modulo", 1000, 1.11, 1, 0);

    Verdict belowFloor =
        balance
            .check()
            .apply(
                new Results(List.of(), List.of(row("memento-removed", 1000, 1.10, 1, 0), floor)));
    Verdict worseThanChance =
        balance
            .check()
            .apply(
                new Results(
                    List.of(),
                    List.of(
                        row("memento-removed", 1000, 1.10, 1, 0),
                        row("modulo", 1000, 1.02, 1, 0))));
    Verdict met =
        balance
            .check()
            .apply(
                new Results(List.of(), List.of(row("memento-removed", 1000, 1.02, 1, 0), floor)));

    assertThat(belowFloor.measured()).isEqualTo("1.10 (sampling floor, hash mod n: 1.11)");
    assertThat(belowFloor.reached())
        .startsWith("no: the bound is below the sampling floor of these keys");
    assertThat(worseThanChance.reached()).isEqualTo(Targets.NO);
    assertThat(met.reached()).isEqualTo(Targets.YES);
  }

  private static Results lookups(String id, double nanos, double bytes) {
    return new Results(List.of(new Cost(id, "lookup", 100, nanos, Double.NaN, bytes)), List.of());
  }
}
