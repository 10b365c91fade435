package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.placement.Quality.Balance;
import dev.lbkit.benchmarks.placement.Quality.Disruption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Measures one candidate's balance and disruption at one node count over a set of keys.
 *
 * <p>Every change starts from a fresh mapping over nodes 0 to {@code n - 1}; which nodes leave and
 * join is the candidate's {@link Candidate.Churn}. Where three changes are measured each way, the
 * report gives their mean, since one node's share varies from node to node (by about 8% on a ring
 * of 150 virtual nodes).
 */
final class QualityAnalysis {

  /**
   * One candidate at one node count.
   *
   * @param candidate what was measured
   * @param n the node count
   * @param keys how many keys
   * @param balance how evenly the keys spread
   * @param spill the fraction of keys a bounded placement gave another node than its base would;
   *     empty for unbounded placements
   * @param removal the mean disruption of removing one node
   * @param removals how many removals the mean is over
   * @param addition the mean disruption of adding one node
   * @param additions how many additions the mean is over
   */
  record Row(
      Candidate candidate,
      int n,
      int keys,
      Balance balance,
      OptionalDouble spill,
      Disruption removal,
      int removals,
      Disruption addition,
      int additions) {}

  private QualityAnalysis() {}

  /**
   * Measures {@code candidate} over nodes 0 to {@code n - 1} and {@code keys}.
   *
   * @throws IllegalStateException if the placement's own distribution disagrees with its lookups
   */
  static Row analyse(Candidate candidate, int n, String[] keys) {
    List<Node> nodes = Node.first(n);
    int slots = n + candidate.churn().changes;
    Mapping mapping = candidate.build(nodes);
    Node[] before = mapping.assign(keys);
    int[] counts = Quality.tally(before, slots);
    Optional<int[]> reported = mapping.reportedCounts(keys, slots);
    if (reported.isPresent() && !Arrays.equals(reported.get(), counts)) {
      throw new IllegalStateException(
          candidate.id()
              + " at n="
              + n
              + ": getDistribution disagrees with the owners of the same keys");
    }
    Balance balance = Quality.balance(counts, nodes);
    OptionalDouble spill = mapping.spill(keys, before);

    List<Disruption> removals = new ArrayList<>();
    for (Node leaving : leaving(candidate, nodes)) {
      Mapping changed = candidate.build(nodes);
      changed.remove(leaving);
      removals.add(Quality.removal(before, changed.assign(keys), leaving, n));
    }
    List<Disruption> additions = new ArrayList<>();
    for (int i = 0; i < candidate.churn().changes; i++) {
      Node joining = Node.number(n + i);
      Mapping changed = candidate.build(nodes);
      changed.add(joining);
      additions.add(Quality.addition(before, changed.assign(keys), joining, n));
    }
    return new Row(
        candidate,
        n,
        keys.length,
        balance,
        spill,
        Disruption.mean(removals),
        removals.size(),
        Disruption.mean(additions),
        additions.size());
  }

  /** The nodes that leave, in turn: see {@link Candidate.Churn}. */
  private static List<Node> leaving(Candidate candidate, List<Node> nodes) {
    int n = nodes.size();
    return switch (candidate.churn()) {
      case ANY -> List.of(nodes.get(0), nodes.get(n / 2), nodes.get(n - 1));
      case ANY_ONCE -> List.of(nodes.get(n / 2));
      case LAST -> List.of(nodes.get(n - 1));
    };
  }
}
