package dev.lbkit.benchmarks.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tables and number formats, on hand-made costs. */
class PlacementTablesTest {

  private static final Candidate RING = Candidates.byId("ring");

  @Test
  void lookupRowsShowEachSizeAndTheMostAnySizeAllocated() {
    Results results =
        new Results(
            List.of(
                new Cost("ring", "lookup", 10, 28.14, 1.23, 0.001),
                new Cost("ring", "lookup", 100, 31.0, Double.NaN, 24),
                new Cost("", "keyHash", 0, 13.1, 0.4, 0)),
            List.of());

    String table = PlacementTables.lookup(List.of(RING), results).replaceAll(" +", " ");

    assertThat(table)
        .contains("| ring, 150 vnodes | 28.1 ± 1.23 | 31.0 | – | 24 B |")
        .endsWith("`KeyHash.of` alone (the floor): 13.1 ± 0.40 ns/op, 0 B/op");
  }

  @Test
  void changeRowsShowTheBuildsAllocationAndTheChangesTimes() {
    Results results =
        new Results(
            List.of(
                new Cost("ring", "build", 100, 1.82e6, 0.1e6, 2.0 * 1024 * 1024),
                new Cost("ring", "addOne", 100, 12_345, 400, 99),
                new Cost("ring", "removeOne", 100, 850, 20, 99)),
            List.of());

    String table = PlacementTables.changes(List.of(RING), results).replaceAll(" +", " ");

    assertThat(table)
        .contains(
            "| ring, 150 vnodes | 100 | 1.82 ± 0.10 ms | 2.00 MiB | 12.3 ± 0.40 µs | 850 ± 20.0 ns |")
        .contains("| ring, 150 vnodes | 10 | – | – | – | – |");
  }

  @Test
  void numbersKeepThreeSignificantDigits() {
    assertThat(Format.number(1.2345)).isEqualTo("1.23");
    assertThat(Format.number(12.345)).isEqualTo("12.3");
    assertThat(Format.number(1234.5)).isEqualTo("1,235");
    assertThat(Format.ratio(1.0234)).isEqualTo("1.023");
    assertThat(Format.ratio(1.57)).isEqualTo("1.57");
    assertThat(Format.ratio(998.7)).isEqualTo("999");
    assertThat(Format.percent(0)).isEqualTo("0");
    assertThat(Format.percent(0.00004)).isEqualTo("<0.01%");
    assertThat(Format.percent(0.0057)).isEqualTo("0.57%");
    assertThat(Format.bytes(0.3)).isEqualTo("0 B");
    assertThat(Format.bytes(1536)).isEqualTo("1.50 KiB");
    assertThat(Format.elapsed(Duration.ofSeconds(95))).isEqualTo("95 s");
    assertThat(Format.elapsed(Duration.ofSeconds(252))).isEqualTo("4.2 min");
  }
}
