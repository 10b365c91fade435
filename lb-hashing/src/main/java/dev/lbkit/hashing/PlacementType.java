package dev.lbkit.hashing;

import java.util.Collection;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The placements of this module, as a choice a configuration can name: what the {@code
 * LoadBalancer} facade's consistent hashing is built on. {@link #create} builds one over weighted
 * nodes in one pass (adding weighted nodes one at a time would rebuild a Maglev table per node).
 */
public enum PlacementType {
  /** {@link ConsistentHash} with {@value ConsistentHash#DEFAULT_VIRTUAL_NODES} virtual nodes. */
  RING {
    @Override
    <N> Placement<N> build(NodeSet<N> nodes, Function<? super N, String> nodeName) {
      return new ConsistentHash<>(nodes, ConsistentHash.DEFAULT_VIRTUAL_NODES, nodeName);
    }
  },
  /** {@link Maglev} with {@value Maglev#DEFAULT_TABLE_SIZE} slots. */
  MAGLEV {
    @Override
    <N> Placement<N> build(NodeSet<N> nodes, Function<? super N, String> nodeName) {
      return new Maglev<>(nodes, Maglev.DEFAULT_TABLE_SIZE, nodeName);
    }
  },
  /** {@link Rendezvous}. */
  RENDEZVOUS {
    @Override
    <N> Placement<N> build(NodeSet<N> nodes, Function<? super N, String> nodeName) {
      return new Rendezvous<>(nodes, nodeName);
    }
  },
  /**
   * {@link Memento}, in its canonical layout (buckets in name order). The {@code LoadBalancer}
   * facade changes it with {@link Memento#copy()} and add/remove rather than rebuilding it, so that
   * removing a server moves only that server's keys.
   */
  MEMENTO {
    @Override
    <N> Placement<N> build(NodeSet<N> nodes, Function<? super N, String> nodeName) {
      return new Memento<>(nodes, nodeName);
    }
  };

  /**
   * Returns a placement of this type over {@code nodes}, each of the weight {@code weight} gives
   * it, named as the placements name nodes by default (see {@link Identified}).
   *
   * @throws NullPointerException if an argument or a node is null
   * @throws IllegalArgumentException if a weight is not in {@code [1, Placement.MAX_WEIGHT]}, two
   *     distinct nodes share a name, or a node has no stable name
   */
  public <N> Placement<N> create(Collection<N> nodes, ToIntFunction<? super N> weight) {
    Function<? super N, String> nodeName = NodeNames::defaultName;
    return build(NodeSet.of(nodes, nodeName, weight), nodeName);
  }

  abstract <N> Placement<N> build(NodeSet<N> nodes, Function<? super N, String> nodeName);
}
