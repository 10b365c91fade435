package dev.lbkit.hashing;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A way to map keys to nodes: the same answer for every key in every process that holds the same
 * nodes. {@link ConsistentHash}, {@link Maglev}, {@link Rendezvous} and {@link Memento} implement
 * it, so callers and tests can treat them alike; they differ in lookup cost, balance and how many
 * keys move when a node comes or goes (see each class, {@code docs/design.md} and {@code
 * docs/hashing.md}), and {@link PlacementType} names them.
 *
 * <p>The ring, Maglev and rendezvous depend only on the set of nodes and their weights, whatever
 * order they were added in. Memento depends on the set when built from a collection, and after that
 * on the order of changes too: the price of zero collateral moves at jump-hash speed (see {@link
 * Memento}).
 *
 * <p>Every placement takes weights: a node of weight 2 owns about twice the keys of a node of
 * weight 1 ({@link #addNode(Object, int)}); nodes added without one weigh 1. Every placement also
 * has a probe order ({@link #getNode(String, Predicate)}): when a key's node cannot take it, the
 * next node in that order does, the same one in every process. {@link BoundedLoad} builds on it.
 *
 * <p>Implementations are thread-safe: lookups never lock and see the placement either before or
 * after a membership change, never in between.
 *
 * @param <N> the node type; see {@link Identified} for how nodes are named
 */
public interface Placement<N> {

  /** The largest weight a node may have: 10,000. */
  int MAX_WEIGHT = 10_000;

  /**
   * Returns the node that owns {@code key}, or null when there are no nodes.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Nullable N getNode(String key);

  /**
   * Returns the first node in {@code key}'s probe order that {@code eligible} accepts, or null when
   * none does or there are no nodes. The probe order starts at {@link #getNode(String)}'s answer
   * and depends only on the key and the placement's state, so a key whose node is not eligible goes
   * to the same fallback in every process, and returns to its node once that node is eligible
   * again. {@code eligible} is asked about each node at most once.
   *
   * @throws NullPointerException if an argument is null
   */
  @Nullable N getNode(String key, Predicate<? super N> eligible);

  /**
   * Adds {@code node}; adding a node already present does nothing.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if a different node has the same name
   */
  void addNode(N node);

  /**
   * Adds {@code node} with {@code weight}, or sets the weight of {@code node} if it is present: a
   * node's share of the keys is proportional to its weight. Raising a weight moves keys only onto
   * the node, lowering it only off the node, as far as the placement allows (see each class).
   *
   * @param weight at least 1, at most {@link #MAX_WEIGHT}
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if {@code weight} is out of range, or a different node has the
   *     same name
   */
  void addNode(N node, int weight);

  /** Returns the weight of the node named like {@code node}, or 0 if it is absent. */
  int weight(N node);

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
