package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The published scenarios, shortened (one seed, a few percent of their length): every policy runs
 * on every case and answers its requests, and the orderings that do not depend on fine tuning hold.
 */
class ScenariosTest {

  @Test
  void scenarioCRunsEveryPolicyAndTheOracleBeatsRoundRobin() {
    Scenario c = Scenarios.manyClients(0.1);
    assertThat(c.cases()).hasSize(21);
    List<Scenario.Case> at85 = c.cases().stream().filter(x -> x.group().equals("85%")).toList();
    Scenario short85 = new Scenario("C", c.title(), c.definition(), at85, 1);
    Outcome o = Outcome.run(short85);
    for (Outcome.Row r : o.rows()) {
      assertThat(r.results().requests()).as(r.c().policy()).isGreaterThan(10_000);
    }
    double oracle = o.find("85%", Goals.ORACLE).orElseThrow().results().p99().mean();
    double rr = o.find("85%", "round robin").orElseThrow().results().p99().mean();
    assertThat(oracle).isLessThan(rr);
    assertThat(Goals.of(o)).hasSize(2);
    assertThat(Report.table(o)).contains("| 85%  | Prequal");
    assertThat(Report.chart(o)).contains("oracle (global least loaded) |#");
  }

  @Test
  void scenarioELetsTheColdServerJoinAndMeasuresItsWindow() {
    Scenario e = Scenarios.slowStart(0.2);
    Scenario one = new Scenario(e.id(), e.title(), e.definition(), List.of(e.cases().get(2)), 1);
    Outcome o = Outcome.run(one);
    LatencySummary window = o.rows().get(0).results().runs().get(0).window();
    assertThat(window).isNotNull();
    assertThat(window.answered()).isPositive();
  }
}
