package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.placement.Quality.Balance;
import dev.lbkit.benchmarks.placement.Quality.Disruption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Measures one candidate's balance and disruption at one node count over a set of keys.
 *
 * <p>The candidate is built over nodes 0 to {@code n - 1}; its state is what the build leaves (all
 * of them, or fewer where the candidate removes some, as the Memento with 10% removed does), and
 * balance counts the nodes it holds. Every change starts from a fresh build of that state, and its
 * owners after the change are compared with the first build's owners before. That is the same
 * comparison as one instance before and after the change only because builds are deterministic: for
 * a placement that depends on its history (Memento), a fresh build of the smaller node set would be
 * another placement and would move keys by design. So each fresh build is first checked against the
 * first on a sample of keys. Which nodes leave and join is the candidate's {@link Candidate.Churn},
 * among the nodes it holds. Where three changes are measured each way, the report gives their mean,
 * since one node's share varies from node to node (by about 8% on a ring of 150 virtual nodes).
 */
final class QualityAnalysis {

  /**
   * One candidate at one node count.
   *
   * @param candidate what was measured
   * @param n the node count it was built over
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

  /** How many keys, at most, a fresh build must place as the first build did. */
  static final int SAME_BUILD_SAMPLE = 1_000;

  private QualityAnalysis() {}

  /**
   * Measures {@code candidate} over nodes 0 to {@code n - 1} and {@code keys}.
   *
   * @throws IllegalStateException if the placement's own distribution disagrees with its lookups,
   *     or two builds over the same nodes place a key differently
   */
  static Row analyse(Candidate candidate, int n, String[] keys) {
    List<Node> nodes = Node.first(n);
    int slots = n + candidate.churn().changes;
    Mapping mapping = candidate.build(nodes);
    List<Node> held = byIndex(mapping.nodes());
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
    Balance balance = Quality.balance(counts, held);
    OptionalDouble spill = mapping.spill(keys, before);

    List<Disruption> removals = new ArrayList<>();
    for (Node leaving : leaving(candidate, held)) {
      Mapping changed = rebuild(candidate, n, keys, before);
      changed.remove(leaving);
      removals.add(Quality.removal(before, changed.assign(keys), leaving, held.size()));
    }
    List<Disruption> additions = new ArrayList<>();
    for (int i = 0; i < candidate.churn().changes; i++) {
      Node joining = Node.number(n + i);
      Mapping changed = rebuild(candidate, n, keys, before);
      changed.add(joining);
      additions.add(Quality.addition(before, changed.assign(keys), joining, held.size()));
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

  /**
   * Builds {@code candidate} over nodes 0 to {@code n - 1} again and checks that it places the
   * first {@value #SAME_BUILD_SAMPLE} keys as the first build did ({@code before}): a change must
   * be measured on the state whose owners it is compared with.
   */
  private static Mapping rebuild(Candidate candidate, int n, String[] keys, Node[] before) {
    Mapping mapping = candidate.build(Node.first(n));
    int sample = Math.min(SAME_BUILD_SAMPLE, keys.length);
    if (!Arrays.equals(
        mapping.assign(Arrays.copyOf(keys, sample)), Arrays.copyOf(before, sample))) {
      throw new IllegalStateException(
          candidate.id()
              + " at n="
              + n
              + ": two builds over the same nodes place keys differently"
              + " (expected: a deterministic build, so that a change is compared with its own"
              + " state)");
    }
    return mapping;
  }

  /** Returns {@code nodes} sorted by index. */
  private static List<Node> byIndex(List<Node> nodes) {
    List<Node> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparingInt(Node::index));
    return sorted;
  }

  /** The nodes that leave, in turn, of those the mapping holds: see {@link Candidate.Churn}. */
  private static List<Node> leaving(Candidate candidate, List<Node> nodes) {
    int n = nodes.size();
    return switch (candidate.churn()) {
      case ANY -> List.of(nodes.get(0), nodes.get(n / 2), nodes.get(n - 1));
      case ANY_ONCE -> List.of(nodes.get(n / 2));
      case LAST -> List.of(nodes.get(n - 1));
    };
  }
}
