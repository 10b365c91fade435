package dev.lbkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.benchmarks.ReportTables.TableSpec;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;

/** The report's tables rendered from hand-made measurements; no JMH run. */
class ReportTablesTest {

  private static final double NONE = Double.NaN;

  private static Measurement oneThread(
      String benchmark, Map<String, String> params, double ns, double error, double bytes) {
    return new Measurement(benchmark, params, 1, Mode.AverageTime, ns, error, bytes);
  }

  private static Measurement twoThreads(
      String benchmark, Map<String, String> params, double opsPerSecond, double error) {
    return new Measurement(benchmark, params, 2, Mode.Throughput, opsPerSecond, error, 0);
  }

  private static final List<Measurement> RUN =
      List.of(
          oneThread(ReportTables.ATOMIC_FLOOR, Map.of(), 2.4, 0.1, 0),
          oneThread("RoundRobinBenchmark.next", Map.of("n", "10"), 4.8, 0.25, 0.001),
          oneThread(
              "RoundRobinBenchmark.nextWith30PercentUnhealthy", Map.of("n", "10"), 12, 1.5, 24),
          oneThread("RoundRobinBenchmark.next", Map.of("n", "3"), 3.6, NONE, NONE),
          twoThreads(ReportTables.ATOMIC_FLOOR, Map.of(), 200e6, 10e6),
          twoThreads("RoundRobinBenchmark.next", Map.of("n", "10"), 100e6, NONE));

  @Test
  void oneThreadTableSortsBySizeAndDividesByTheFloor() {
    TableSpec spec =
        new TableSpec(
            "RoundRobin.next()",
            "note",
            m -> m.benchmark().startsWith("RoundRobinBenchmark."),
            List.of(ReportTables.costOver("÷ atomic floor", ReportTables.ATOMIC_FLOOR, false)));

    assertThat(ReportTables.table(spec, RUN, 1))
        .isEqualTo(
            """
            | benchmark                                        | params | ns/op (± error) | B/op | ÷ atomic floor |
            | ------------------------------------------------ | ------ | --------------: | ---: | -------------: |
            | `RoundRobinBenchmark.next`                       | n=3    |            3.60 |    – |          1.50× |
            | `RoundRobinBenchmark.next`                       | n=10   |     4.80 ± 0.25 |    0 |          2.00× |
            | `RoundRobinBenchmark.nextWith30PercentUnhealthy` | n=10   |      12.0 ± 1.5 |   24 |          5.00× |
            """);
  }

  @Test
  void twoThreadTableShowsMillionsOfOpsAndAddsTheSpeedUp() {
    TableSpec spec =
        new TableSpec(
            "Two threads",
            "note",
            m -> true,
            List.of(ReportTables.costOver("÷ atomic floor", ReportTables.ATOMIC_FLOOR, false)));

    assertThat(ReportTables.table(spec, RUN, 2))
        .isEqualTo(
            """
            | benchmark                              | params | M ops/s (± error) | B/op | ÷ atomic floor | speed-up vs 1 thread |
            | -------------------------------------- | ------ | ----------------: | ---: | -------------: | -------------------: |
            | `FloorBenchmark.atomicGetAndIncrement` | –      |          200 ± 10 |    0 |          1.00× |                0.48× |
            | `RoundRobinBenchmark.next`             | n=10   |               100 |    0 |          2.00× |                0.48× |
            """);
  }

  @Test
  void missingReferenceGivesADash() {
    TableSpec spec =
        new TableSpec(
            "t",
            "note",
            m -> m.benchmark().equals("RoundRobinBenchmark.next"),
            List.of(ReportTables.costOver("÷ nginx (same n)", "Absent.baseline", true)));

    assertThat(ReportTables.table(spec, RUN, 1))
        .contains(
            "| `RoundRobinBenchmark.next` | n=10   |     4.80 ± 0.25 |    0 |                – |");
  }

  @Test
  void tableSelectingNothingIsEmpty() {
    TableSpec spec = new TableSpec("t", "note", m -> false, List.of());

    assertThat(ReportTables.table(spec, RUN, 1)).isEmpty();
    assertThat(ReportTables.table(spec, RUN, 2)).isEmpty();
  }

  @Test
  void everyPlannedBenchmarkAppearsInExactlyOneSection() {
    for (Measurement m : PlannedRun.of(ReportMode.FULL, name -> 10)) {
      assertThat(ReportTables.standard().stream().filter(spec -> spec.selects().test(m)))
          .as(m.benchmark() + " " + m.params() + " on " + m.threads())
          .hasSize(1);
    }
  }

  @Test
  void everyRowOfAFullRunHasItsBytesAndEveryRatio() {
    List<Measurement> run = PlannedRun.of(ReportMode.FULL, name -> 10);

    for (TableSpec spec : ReportTables.standard()) {
      for (int threads = 1; threads <= 2; threads++) {
        List<String> lines = List.of(ReportTables.table(spec, run, threads).split("\n"));
        assertThat(lines).as(spec.title()).hasSizeGreaterThan(2);
        for (String line : lines.subList(2, lines.size())) {
          List<String> cells = cells(line);
          assertThat(cells.subList(3, cells.size()))
              .as(spec.title() + ", " + threads + " threads: " + line)
              .doesNotContain("–");
        }
      }
    }
  }

  @Test
  void peerRowsReadAsMultiplesOfOursAtTheSameSize() {
    List<Measurement> run =
        PlannedRun.of(ReportMode.FULL, name -> name.contains(".dubbo") ? 700 : 3.5);
    TableSpec roundRobin = section("RoundRobin.next()");

    assertThat(row(ReportTables.table(roundRobin, run, 1), "dubboRoundRobin", "n=10"))
        .containsExactly(
            "`RoundRobinBenchmark.dubboRoundRobin`", "n=10", "700 ± 0", "0", "200×", "200×");
    assertThat(row(ReportTables.table(roundRobin, run, 2), "dubboRoundRobin", "n=10"))
        .containsExactly(
            "`RoundRobinBenchmark.dubboRoundRobin`",
            "n=10",
            "2.14 ± 1.00",
            "0",
            "200×",
            "200×",
            "1.50×");
    assertThat(row(ReportTables.table(roundRobin, run, 1), "`RoundRobinBenchmark.next`", "n=10"))
        .endsWith("1.00×");
  }

  private static TableSpec section(String title) {
    return ReportTables.standard().stream()
        .filter(spec -> spec.title().equals(title))
        .findFirst()
        .orElseThrow();
  }

  /** The cells of the first row of {@code table} that mentions {@code benchmark} and {@code n}. */
  private static List<String> row(String table, String benchmark, String n) {
    return table
        .lines()
        .filter(line -> line.contains(benchmark) && line.contains("| " + n + " "))
        .findFirst()
        .map(ReportTablesTest::cells)
        .orElseThrow();
  }

  private static List<String> cells(String line) {
    return List.of(line.substring(2, line.length() - 2).split(" \\| ")).stream()
        .map(String::trim)
        .toList();
  }

  @Test
  void numbersKeepThreeSignificantDigits() {
    assertThat(ReportTables.ratio(OptionalDouble.of(1.234))).isEqualTo("1.23×");
    assertThat(ReportTables.ratio(OptionalDouble.of(12.34))).isEqualTo("12.3×");
    assertThat(ReportTables.ratio(OptionalDouble.of(1234.5))).isEqualTo("1,235×");
    assertThat(ReportTables.ratio(OptionalDouble.of(0.46))).isEqualTo("0.46×");
    assertThat(ReportTables.ratio(OptionalDouble.of(0.0431))).isEqualTo("0.0431×");
    assertThat(ReportTables.ratio(OptionalDouble.of(0.00125))).isEqualTo("0.00125×");
    assertThat(ReportTables.ratio(OptionalDouble.empty())).isEqualTo("–");
    assertThat(ReportTables.bytes(0.001)).isEqualTo("0");
    assertThat(ReportTables.bytes(0.6)).isEqualTo("0.6");
    assertThat(ReportTables.bytes(551_353.02)).isEqualTo("551,353");
    assertThat(ReportTables.bytes(Double.NaN)).isEqualTo("–");
  }

  @Test
  void markdownTableRejectsARaggedRow() {
    assertThatThrownBy(() -> MarkdownTable.render(List.of("a", "b"), List.of(List.of("1")), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("row: [1] (expected: 2 cells like [a, b])");
  }

  @Test
  void markdownTableEscapesPipes() {
    assertThat(MarkdownTable.render(List.of("a"), List.of(List.of("x|y")), 1))
        .isEqualTo("| a    |\n| ---- |\n| x\\|y |\n");
  }

  @Test
  void shortNameKeepsClassAndMethod() {
    assertThat(Measurement.shortName("dev.lbkit.benchmarks.RoundRobinBenchmark.next"))
        .isEqualTo("RoundRobinBenchmark.next");
  }
}
