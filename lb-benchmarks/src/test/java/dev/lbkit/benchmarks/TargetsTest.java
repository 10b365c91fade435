package dev.lbkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;

/** The targets section rendered from hand-made measurements; no JMH run, no timing asserted. */
class TargetsTest {

  @Test
  void everyTargetNamesAPlannedBenchmarkOnItsThreadCount() {
    List<Measurement> full = PlannedRun.of(ReportMode.FULL, name -> 1);

    for (Targets.Target target : Targets.standard()) {
      assertThat(full).as(target.path() + " " + target.goal()).anyMatch(target::covers);
    }
  }

  @Test
  void aRunWithinEveryTargetMeetsThemAll() {
    String rendered = Targets.render(Targets.standard(), PlannedRun.of(ReportMode.FULL, n -> 1));

    assertThat(rendered.lines().filter(line -> line.matches("\\|.*\\| met +\\|")))
        .hasSize(Targets.standard().size());
    assertThat(rendered).doesNotContain("missed", "not measured");
  }

  @Test
  void theWorstSizeDecidesAndAMissIsExplainedByTheRunsOwnFloor() {
    List<Measurement> run =
        PlannedRun.of(ReportMode.FULL, name -> 1).stream()
            .map(
                m ->
                    m.benchmark().equals(ReportTables.ROUND_ROBIN)
                            && m.threads() == 2
                            && m.size() == 3
                        ? new Measurement(
                            m.benchmark(), m.params(), 2, Mode.Throughput, 87.7e6, 1e6, 0)
                        : m)
            .toList();

    String rendered = Targets.render(Targets.standard(), run);

    assertThat(rendered)
        .containsPattern(
            "\\| `RoundRobin.next` +\\| ≥ 100 M ops/s with 2 threads +\\| 87.7 M ops/s \\(n=3\\) +\\|"
                + " \\*\\*missed\\*\\* +\\|")
        .contains(
            "- `RoundRobin.next`, ≥ 100 M ops/s with 2 threads: every pick increments one"
                + " counter shared by both threads, and the contended floor,"
                + " `atomicGetAndIncrement` on 2 threads, reached 1,500 M ops/s in this run");
  }

  @Test
  void aSizeTheRunLeftOutIsNotMeasured() {
    String rendered = Targets.render(Targets.standard(), PlannedRun.of(ReportMode.SMOKE, n -> 1));

    assertThat(rendered)
        .containsPattern(
            "`LeastConnections.next` +\\| ≤ 60 ns/op at n=100 +\\| – +\\| not measured")
        .containsPattern(
            "`LeastConnections.next` +\\| ≤ 15 ns/op at n=10 +\\| 1.00 ns/op +\\| met");
  }

  @Test
  void anAllocationOfATenthOfAByteIsAMiss() {
    Targets.Target zeroBytes = Targets.standard().get(2);
    Measurement almostNothing =
        new Measurement(
            ReportTables.ROUND_ROBIN, java.util.Map.of(), 1, Mode.AverageTime, 3, 0, 0.04);
    Measurement some =
        new Measurement(
            ReportTables.ROUND_ROBIN, java.util.Map.of(), 1, Mode.AverageTime, 3, 0, 0.1);

    assertThat(zeroBytes.goal()).isEqualTo("0 B/op");
    assertThat(zeroBytes.isMetBy(almostNothing)).isTrue();
    assertThat(zeroBytes.isMetBy(some)).isFalse();
  }
}
