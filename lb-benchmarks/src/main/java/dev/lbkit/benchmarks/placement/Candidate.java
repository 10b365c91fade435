package dev.lbkit.benchmarks.placement;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * One row of the report: a placement or peer, what the report measures of it, and how to build it.
 *
 * @param id a stable short name, the value of the JMH parameter {@code placement}: {@code ring}
 * @param label the name in the tables: {@code ring, 150 vnodes}
 * @param parts what the report measures of it
 * @param churn which nodes leave and join when the report measures disruption
 * @param sizes the node counts it is measured at
 * @param factory builds it over a list of nodes
 */
record Candidate(
    String id,
    String label,
    Set<Part> parts,
    Churn churn,
    List<Integer> sizes,
    Function<List<Node>, Mapping> factory) {

  /** What the report measures. */
  enum Part {
    /** Lookup cost (JMH). */
    LOOKUP,
    /** Build, add-one and remove-one cost (JMH). */
    CHANGES,
    /** Balance, spill and disruption over the report's keys. */
    QUALITY
  }

  /**
   * Which nodes leave and join, each change starting from the state a build over nodes 0 to {@code
   * n - 1} leaves: all of them, unless the candidate removes some as it builds. "First", "middle"
   * and "last" count the nodes it holds, by index.
   */
  enum Churn {
    /**
     * Any node may leave: the first, the middle and the last in turn; nodes {@code n}, {@code n +
     * 1} and {@code n + 2} join in turn. The report gives the mean of the three.
     */
    ANY(3),
    /** Any node may leave, measured once to save time: the middle leaves, node {@code n} joins. */
    ANY_ONCE(1),
    /** Only the last node (bucket) may leave, and node {@code n} joins: a jump hash. */
    LAST(1);

    /** How many removals, and how many additions, the report averages over. */
    final int changes;

    Churn(int changes) {
      this.changes = changes;
    }
  }

  Candidate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(label, "label");
    parts = Set.copyOf(parts);
    Objects.requireNonNull(churn, "churn");
    sizes = List.copyOf(sizes);
    Objects.requireNonNull(factory, "factory");
  }

  /** Returns this candidate measured only at {@code sizes}. */
  Candidate at(Integer... sizes) {
    return new Candidate(id, label, parts, churn, List.of(sizes), factory);
  }

  /** Returns whether the report measures {@code part} of this candidate at {@code n} nodes. */
  boolean measures(Part part, int n) {
    return parts.contains(part) && sizes.contains(n);
  }

  /** Builds a fresh mapping over {@code nodes}. */
  Mapping build(List<Node> nodes) {
    return factory.apply(nodes);
  }
}
