package dev.lbkit.benchmarks.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A scenario's results: one {@link Results} per case, in the scenario's order.
 *
 * @param scenario what ran
 * @param rows each case with its results
 */
record Outcome(Scenario scenario, List<Row> rows) {

  /** One case and its results over the scenario's seeds. */
  record Row(Scenario.Case c, Results results) {}

  Outcome {
    rows = List.copyOf(rows);
  }

  /** Runs every case of {@code scenario} over its seeds. */
  static Outcome run(Scenario scenario) {
    List<Row> rows = new ArrayList<>();
    for (Scenario.Case c : scenario.cases()) {
      rows.add(new Row(c, c.simulation().run(scenario.seeds())));
    }
    return new Outcome(scenario, rows);
  }

  /** The row of {@code policy} in {@code group}, if any. */
  Optional<Row> find(String group, String policy) {
    return rows.stream()
        .filter(r -> r.c().group().equals(group) && r.c().policy().equals(policy))
        .findFirst();
  }

  /** The groups, in order of first appearance. */
  List<String> groups() {
    List<String> groups = new ArrayList<>();
    for (Row r : rows) {
      if (!groups.contains(r.c().group())) {
        groups.add(r.c().group());
      }
    }
    return groups;
  }
}
