package dev.lbkit.benchmarks.placement;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * One placement or peer, built over some nodes, as the report measures it: key to node, one node in
 * or out. Not thread-safe (some peers carry a mutable random generator).
 */
interface Mapping {

  /** Returns the node that owns {@code key}, hashing the key included; null with no nodes. */
  @Nullable Node owner(String key);

  /**
   * Adds {@code node}.
   *
   * @throws IllegalArgumentException if the mapping cannot add this node (a jump hash adds only the
   *     next bucket number)
   */
  void add(Node node);

  /**
   * Removes {@code node}.
   *
   * @throws IllegalArgumentException if the mapping cannot remove this node (a jump hash removes
   *     only the last bucket)
   */
  void remove(Node node);

  /** Returns the nodes now. */
  List<Node> nodes();

  /**
   * Returns the owner of each key, as the placement assigns a batch of them: one lookup each by
   * default; a bounded-load placement assigns them one after another, each adding to its node's
   * load.
   *
   * @throws IllegalStateException if there are no nodes
   */
  default Node[] assign(String[] keys) {
    Node[] owners = new Node[keys.length];
    for (int k = 0; k < keys.length; k++) {
      owners[k] = Objects.requireNonNull(owner(keys[k]), "no nodes");
    }
    return owners;
  }

  /**
   * Returns the keys per node index (an array of {@code slots}) as the placement itself reports
   * them ({@code Placement.getDistribution}), or empty if it has no such method.
   */
  default Optional<int[]> reportedCounts(String[] keys, int slots) {
    return Optional.empty();
  }

  /**
   * Returns the fraction of {@code keys} that {@link #assign} gave another node than the base
   * placement would (the spill of bounded loads), or empty if the mapping does not bound a base.
   */
  default OptionalDouble spill(String[] keys, Node[] owners) {
    return OptionalDouble.empty();
  }
}
