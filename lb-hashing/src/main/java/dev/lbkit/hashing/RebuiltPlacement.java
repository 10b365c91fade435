package dev.lbkit.hashing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The shared skeleton of a placement that is a pure function of its node set: every change builds a
 * new immutable state from the new {@link NodeSet} and publishes it with one volatile write;
 * lookups read the state once and never lock. {@link Maglev} and {@link Rendezvous} are built on
 * it; the ring is not, because it changes incrementally.
 *
 * @param <N> the node type
 * @param <S> the immutable state a lookup reads
 */
abstract class RebuiltPlacement<N, S> implements Placement<N> {

  final Function<? super N, String> nodeName;
  private final Object writeLock = new Object();
  private volatile @Nullable S state;

  RebuiltPlacement(Function<? super N, String> nodeName) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
  }

  /** Builds and publishes the first state; subclasses call it once their own fields are set. */
  final void initialize(NodeSet<N> nodes) {
    state = build(nodes);
  }

  /** Builds the state for {@code nodes}; may reject a node set it cannot hold. */
  abstract S build(NodeSet<N> nodes);

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
    change(nodes -> nodes.with(node, name));
  }

  @Override
  public final void addNode(N node, int weight) {
    Objects.requireNonNull(node, "node");
    NodeSet.checkWeight(weight);
    String name = NodeNames.nameOf(nodeName, node);
    change(nodes -> nodes.with(node, name, weight));
  }

  @Override
  public final void removeNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    change(nodes -> nodes.without(name));
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

  private void change(UnaryOperator<NodeSet<N>> update) {
    synchronized (writeLock) {
      NodeSet<N> current = nodesOf(state());
      NodeSet<N> next = update.apply(current);
      if (next != current) {
        state = build(next);
      }
    }
  }
}
