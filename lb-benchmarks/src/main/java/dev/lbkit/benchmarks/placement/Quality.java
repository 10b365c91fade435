package dev.lbkit.benchmarks.placement;

import java.util.List;

/**
 * The balance and disruption arithmetic of the report, as pure functions of owner arrays: {@code
 * owners[k]} is the node of key {@code k}. Nodes are compared by index.
 */
final class Quality {

  private Quality() {}

  /**
   * How evenly keys spread: the busiest and the idlest node's count over the mean count.
   *
   * @param maxOverMean the largest count over the mean; 1.00 is perfect
   * @param minOverMean the smallest count over the mean; 1.00 is perfect
   */
  record Balance(double maxOverMean, double minOverMean) {}

  /**
   * What one membership change did to the keys.
   *
   * @param movedOverIdeal keys that changed node over the fewest that had to: {@code K/n} when one
   *     of {@code n} nodes leaves, {@code K/(n+1)} when the {@code n+1}-th joins; 1.00 is minimal
   * @param collateral the fraction of all keys that changed node although neither their old node
   *     left nor their new node is the one that joined; 0 is minimal
   */
  record Disruption(double movedOverIdeal, double collateral) {

    /** Returns the mean of each figure over {@code changes}. */
    static Disruption mean(List<Disruption> changes) {
      if (changes.isEmpty()) {
        throw new IllegalArgumentException("changes: [] (expected: at least one)");
      }
      double moved = 0;
      double collateral = 0;
      for (Disruption d : changes) {
        moved += d.movedOverIdeal;
        collateral += d.collateral;
      }
      return new Disruption(moved / changes.size(), collateral / changes.size());
    }
  }

  /** Counts {@code owners} by node index into an array of {@code slots}. */
  static int[] tally(Node[] owners, int slots) {
    int[] counts = new int[slots];
    for (Node owner : owners) {
      counts[owner.index()]++;
    }
    return counts;
  }

  /**
   * Returns the balance of {@code counts} (by node index) over {@code nodes}, every node of the
   * placement: a node that owns no key counts as 0.
   *
   * @throws IllegalArgumentException if {@code nodes} is empty or owns no key
   */
  static Balance balance(int[] counts, List<Node> nodes) {
    long total = 0;
    int max = 0;
    int min = Integer.MAX_VALUE;
    for (Node node : nodes) {
      int c = counts[node.index()];
      total += c;
      max = Math.max(max, c);
      min = Math.min(min, c);
    }
    if (total == 0) {
      throw new IllegalArgumentException("nodes: " + nodes + " (expected: owning some keys)");
    }
    double mean = (double) total / nodes.size();
    return new Balance(max / mean, min / mean);
  }

  /**
   * Returns the disruption of removing {@code removed} from {@code n} nodes: {@code before} and
   * {@code after} are the owners of the same keys.
   */
  static Disruption removal(Node[] before, Node[] after, Node removed, int n) {
    return disruption(before, after, removed.index(), -1, (double) before.length / n);
  }

  /**
   * Returns the disruption of adding {@code added} to {@code n} nodes: {@code before} and {@code
   * after} are the owners of the same keys.
   */
  static Disruption addition(Node[] before, Node[] after, Node added, int n) {
    return disruption(before, after, -1, added.index(), (double) before.length / (n + 1));
  }

  private static Disruption disruption(
      Node[] before, Node[] after, int left, int joined, double ideal) {
    if (before.length != after.length) {
      throw new IllegalArgumentException(
          "after: " + after.length + " owners (expected: " + before.length + ", as before)");
    }
    long moved = 0;
    long collateral = 0;
    for (int k = 0; k < before.length; k++) {
      int from = before[k].index();
      int to = after[k].index();
      if (from != to) {
        moved++;
        if (from != left && to != joined) {
          collateral++;
        }
      }
    }
    return before.length == 0
        ? new Disruption(0, 0)
        : new Disruption(moved / ideal, (double) collateral / before.length);
  }
}
