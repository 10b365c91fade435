package dev.lbkit.benchmarks.sim;

import java.util.List;
import java.util.Objects;

/**
 * A named experiment: simulations that differ only in their policy or load, each run over the same
 * seeds. Cases are grouped (by load in C, by slow start in E) for tables and charts.
 *
 * @param id the short name: "A" ... "E"
 * @param title one line for tables and charts
 * @param definition the full definition, a markdown paragraph
 * @param cases every simulation, in table order
 * @param seeds how many seeds (1 to seeds) each case runs
 */
record Scenario(String id, String title, String definition, List<Case> cases, int seeds) {

  /**
   * One simulation of the scenario.
   *
   * @param group its group in tables ("85%", "slow start"), or "" when the scenario has one
   * @param simulation what runs
   */
  record Case(String group, Simulation simulation) {
    Case {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(simulation, "simulation");
    }

    String policy() {
      return simulation.policy().name();
    }
  }

  Scenario {
    Objects.requireNonNull(id, "id");
    cases = List.copyOf(cases);
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds: " + seeds + " (expected: >= 1)");
    }
  }
}
