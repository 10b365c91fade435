package dev.lbkit.hashing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The shared skeleton of a placement held in one immutable state: every change makes a new state
 * from the current one and the new {@link NodeSet} and publishes it with one volatile write, under
 * a lock that serializes writers; lookups read the state once and never lock. {@link Maglev} and
 * {@link Rendezvous}, pure functions of their node set, rebuild the state; {@link Memento} changes
 * it, since its state has a history; {@link Rendezvous} copies its node arrays and hashes only the
 * changed name. The ring is not built on it: it changes only the buckets of the points a change
 * adds or removes (see {@link ConsistentHash}).
 *
 * @param <N> the node type
 * @param <S> the immutable state a lookup reads
 */
abstract class SnapshotPlacement<N, S> implements Placement<N> {

  final Function<? super N, String> nodeName;
  private final Object writeLock = new Object();
  private volatile @Nullable S state;

  SnapshotPlacement(Function<? super N, String> nodeName) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
  }

  /** Builds and publishes the first state; subclasses call it once their own fields are set. */
  final void initialize(NodeSet<N> nodes) {
    state = build(nodes);
  }

  /** Publishes {@code first} as the first state: a copy of another placement's. */
  final void initializeState(S first) {
    state = first;
  }

  /** Builds the state for {@code nodes} from scratch; may reject a node set it cannot hold. */
  abstract S build(NodeSet<N> nodes);

  /**
   * Returns the state after {@code current} changed to {@code next}, where only the node named
   * {@code name} was added, removed or reweighted; {@link #build} of {@code next} unless the state
   * has a history.
   */
  S changed(S current, NodeSet<N> next, String name) {
    return build(next);
  }

  /** Returns the node set {@code state} was built from. */
  abstract NodeSet<N> nodesOf(S state);

  /** Returns the owner of {@code key} in {@code state}, or null if it has no nodes. */
  abstract @Nullable N ownerIn(S state, String key);

  /** Returns the current state. */
  final S state() {
    return Objects.requireNonNull(state, "state");
  }

  @Override
  public final @Nullable N getNode(String key) {
    Objects.requireNonNull(key, "key");
    return ownerIn(state(), key);
  }

  @Override
  public final Map<N, Integer> getDistribution(Iterable<String> keys) {
    S s = state();
    return Distributions.count(nodesOf(s).nodes(), keys, key -> ownerIn(s, key));
  }

  @Override
  public final void addNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    change(name, nodes -> nodes.with(node, name));
  }

  @Override
  public final void addNode(N node, int weight) {
    Objects.requireNonNull(node, "node");
    NodeSet.checkWeight(weight);
    String name = NodeNames.nameOf(nodeName, node);
    change(name, nodes -> nodes.with(node, name, weight));
  }

  @Override
  public final void removeNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    change(name, nodes -> nodes.without(name));
  }

  @Override
  public final int weight(N node) {
    Objects.requireNonNull(node, "node");
    return nodesOf(state()).weight(NodeNames.nameOf(nodeName, node));
  }

  @Override
  public final List<N> nodes() {
    return nodesOf(state()).nodes();
  }

  @Override
  public final int size() {
    return nodesOf(state()).size();
  }

  /** Publishes the change of the node named {@code name} that {@code update} makes, if any. */
  private void change(String name, UnaryOperator<NodeSet<N>> update) {
    synchronized (writeLock) {
      S current = state();
      NodeSet<N> nodes = nodesOf(current);
      NodeSet<N> next = update.apply(nodes);
      if (next != nodes) {
        state = changed(current, next, name);
      }
    }
  }
}
