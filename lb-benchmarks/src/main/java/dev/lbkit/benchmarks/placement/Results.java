package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.placement.QualityAnalysis.Row;
import java.util.List;
import java.util.Optional;

/**
 * Everything one run measured.
 *
 * @param costs the JMH results; empty when JMH did not run
 * @param rows the balance and disruption of each candidate at each node count
 */
record Results(List<Cost> costs, List<Row> rows) {

  /** The operation of the key-hash floor. */
  static final String KEY_HASH = "keyHash";

  Results {
    costs = List.copyOf(costs);
    rows = List.copyOf(rows);
  }

  /** Returns {@code operation} of candidate {@code id} at {@code n}, if measured. */
  Optional<Cost> cost(String id, String operation, int n) {
    return costs.stream().filter(c -> c.is(id, operation, n)).findFirst();
  }

  /** Returns the key-hash floor, if measured. */
  Optional<Cost> keyHash() {
    return costs.stream().filter(c -> c.operation().equals(KEY_HASH)).findFirst();
  }

  /** Returns candidate {@code id}'s quality at {@code n}, if measured. */
  Optional<Row> row(String id, int n) {
    return rows.stream().filter(r -> r.candidate().id().equals(id) && r.n() == n).findFirst();
  }
}
