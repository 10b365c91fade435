package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * Short seeded versions of both scenarios (20 s of A, 100 s of B, one seed: about a second), run
 * through the real algorithms: the ordering the full run shows must hold, so that a regression in
 * an algorithm shows here; and the simulation is deterministic.
 */
class TailLatencySimulationTest {

  private static final Scenario A = new StuckBackendScenario(Duration.ofSeconds(20), 1);
  private static final Scenario B = new QueueingScenario(Duration.ofSeconds(100), 1);
  private static final Scenario SHORTER_B = new QueueingScenario(Duration.ofSeconds(20), 1);

  private static List<Result> results;

  @BeforeAll
  static void simulate() {
    results = TailLatencySimulation.simulate(List.of(A, B));
  }

  private static Result result(Scenario scenario, Policy policy) {
    return SimulationReport.find(results, scenario.id(), policy).orElseThrow();
  }

  @Test
  void everyAlgorithmRanOnEveryScenarioAndAnsweredEveryRequest() {
    assertThat(results).hasSize(2 * Policy.values().length);
    for (Result r : results) {
      long expected =
          (long) (r.scenario().requestsPerSecond() * r.scenario().duration().toSeconds());
      assertThat(r.requests())
          .as("%s on %s", r.policy(), r.scenario().id())
          .isBetween(expected * 95 / 100, expected * 105 / 100);
    }
  }

  @Test
  void leastConnectionsBeatsRoundRobinInBothScenarios() {
    assertThat(result(A, Policy.LEAST_CONNECTIONS).successRate())
        .isGreaterThan(result(A, Policy.ROUND_ROBIN).successRate());
    assertThat(result(A, Policy.LEAST_CONNECTIONS).p99Nanos())
        .isLessThan(result(A, Policy.ROUND_ROBIN).p99Nanos());
    assertThat(result(B, Policy.LEAST_CONNECTIONS).p99Nanos())
        .isLessThan(result(B, Policy.ROUND_ROBIN).p99Nanos());
  }

  @Test
  void powerOfTwoChoicesBeatsRoundRobinInTheQueues() {
    assertThat(result(B, Policy.POWER_OF_TWO_CHOICES).p99Nanos())
        .isLessThan(result(B, Policy.ROUND_ROBIN).p99Nanos());
  }

  @Test
  void peakEwmaIsNoWorseThanLeastConnectionsWithTheStuckBackend() {
    assertThat(result(A, Policy.PEAK_EWMA).successRate())
        .isGreaterThanOrEqualTo(result(A, Policy.LEAST_CONNECTIONS).successRate());
  }

  @Test
  void theSameSeedGivesTheSameResultsAndAnotherSeedOthers() {
    for (Policy policy : Policy.values()) {
      LatencySummary once = SimulationRun.run(SHORTER_B, policy, 1);
      assertThat(SimulationRun.run(SHORTER_B, policy, 1)).as(policy.label()).isEqualTo(once);
      assertThat(SimulationRun.run(SHORTER_B, policy, 2)).as(policy.label()).isNotEqualTo(once);
    }
    assertThat(TailLatencySimulation.simulate(List.of(A))).isEqualTo(results.subList(0, 5));
  }

  @Test
  void theReportHasEveryRowAndTheGoalsAndTheChartIsWellFormedSvg() throws Exception {
    SimulationReport.RunInfo info =
        new SimulationReport.RunInfo(
            ZonedDateTime.of(2026, 11, 23, 12, 0, 0, 0, ZoneOffset.UTC),
            "Test VM 17",
            2,
            Duration.ofSeconds(3));
    String markdown = SimulationReport.markdown(results, info);
    for (Policy policy : Policy.values()) {
      assertThat(markdown).contains("| A        | " + policy.label());
      assertThat(markdown).contains("| B        | " + policy.label());
    }
    assertThat(markdown)
        .contains("2026-11-23 12:00 UTC", "Test VM 17", TailLatencySimulation.COMMAND)
        .contains("least connections: success >= 99.400% in A")
        .contains("P2C (least connections of 2): p99 <= 0.40x round robin's in B")
        .contains("peak EWMA (P2C, decay 10 s): success >= 99.900% in A")
        .contains("simulation-p99.svg");

    String svg = P99Chart.svg(results);
    Document document =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
    long bars = svg.lines().filter(l -> l.contains("<rect") && l.contains("<title>")).count();
    assertThat(bars).isEqualTo(results.size());
    assertThat(svg).contains("p99 latency (ms)", "algorithm", "A: " + A.title(), "B: " + B.title());
  }
}
