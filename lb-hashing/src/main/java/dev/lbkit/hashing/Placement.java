package dev.lbkit.hashing;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A way to map keys to nodes that depends only on the set of nodes: the same answer for every key
 * in every process that holds the same nodes, whatever order they were added in. {@link
 * ConsistentHash}, {@link Maglev} and {@link Rendezvous} implement it, so callers and tests can
 * treat them alike; they differ in lookup cost, balance and how many keys move when a node comes or
 * goes (see each class and {@code docs/design.md}).
 *
 * <p>Implementations are thread-safe: lookups never lock and see the placement either before or
 * after a membership change, never in between.
 *
 * @param <N> the node type; see {@link Identified} for how nodes are named
 */
public interface Placement<N> {

  /**
   * Returns the node that owns {@code key}, or null when there are no nodes.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Nullable N getNode(String key);

  /**
   * Adds {@code node}; adding a node already present does nothing.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if a different node has the same name
   */
  void addNode(N node);

  /**
   * Removes the node named like {@code node}; removing an absent node does nothing.
   *
   * @throws NullPointerException if {@code node} is null
   */
  void removeNode(N node);

  /** Returns the nodes now, in name order, as an unmodifiable snapshot. */
  List<N> nodes();

  /** Returns the number of nodes now. */
  int size();

  /**
   * Counts, for each node, how many of {@code keys} it owns, all against one snapshot of the
   * placement (a concurrent change affects none or all of the counts). Every node appears, in name
   * order, with zero if it owns none of the keys.
   *
   * @return an unmodifiable map from node to count
   * @throws NullPointerException if {@code keys} or one of them is null
   */
  Map<N, Integer> getDistribution(Iterable<String> keys);
}
