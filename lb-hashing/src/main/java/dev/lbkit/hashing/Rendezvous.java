package dev.lbkit.hashing;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Rendezvous (highest random weight) hashing: a key belongs to the node with the highest score for
 * it. Removing a node moves only that node's keys and adding one moves keys only onto it, with no
 * collateral at all; balance is as good as the key hash. The price is O(n) per lookup.
 *
 * <pre>{@code
 * Rendezvous<String> hrw = new Rendezvous<>(List.of("a", "b", "c"));
 * String owner = hrw.getNode("user:123");
 * }</pre>
 *
 * <p>The score of node {@code s} for key {@code k} is the SplitMix64 finalizer of {@code
 * KeyHash.of(k) XOR KeyHash.of(s)}, compared as unsigned; equal scores go to the node first in name
 * order. It depends only on the key and the set of node names.
 *
 * <p>{@link #getNode}: O(n), no allocation, no lock. {@link #addNode}, {@link #removeNode}: O(n),
 * published with one volatile write. Thread-safe.
 *
 * @param <N> the node type; see {@link Identified} for how nodes are named
 */
public final class Rendezvous<N> implements Placement<N> {

  private final Function<? super N, String> nodeName;
  private final Object writeLock = new Object();
  private volatile Nodes<N> state;

  /** One immutable state: the nodes in name order and their name hashes. */
  private static final class Nodes<N> {
    final NodeSet<N> set;
    final Object[] nodes;
    final long[] hashes;

    Nodes(NodeSet<N> set) {
      this.set = set;
      this.nodes = set.nodes().toArray();
      this.hashes = new long[nodes.length];
      List<String> names = set.names();
      for (int i = 0; i < hashes.length; i++) {
        hashes[i] = KeyHash.of(names.get(i));
      }
    }
  }

  /** Creates an empty placement. */
  public Rendezvous() {
    this(List.of());
  }

  /**
   * Creates a placement over {@code nodes}.
   *
   * @throws NullPointerException if {@code nodes} or one of them is null
   * @throws IllegalArgumentException if two distinct nodes share a name, or a node has no stable
   *     name
   */
  public Rendezvous(Collection<N> nodes) {
    this(nodes, NodeNames::defaultName);
  }

  /**
   * Creates a placement over {@code nodes}, naming them with {@code nodeName}.
   *
   * @throws NullPointerException if an argument or a node is null
   * @throws IllegalArgumentException if two distinct nodes share a name
   */
  public Rendezvous(Collection<N> nodes, Function<? super N, String> nodeName) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.state = new Nodes<>(NodeSet.of(nodes, nodeName));
  }

  @Override
  public @Nullable N getNode(String key) {
    return ownerIn(state, key);
  }

  @Override
  public Map<N, Integer> getDistribution(Iterable<String> keys) {
    Nodes<N> s = state;
    return Distributions.count(s.set.nodes(), keys, key -> ownerIn(s, key));
  }

  private @Nullable N ownerIn(Nodes<N> s, String key) {
    long keyHash = KeyHash.of(key);
    long[] hashes = s.hashes;
    int best = -1;
    long bestScore = 0;
    for (int i = 0; i < hashes.length; i++) {
      long score = mix(keyHash ^ hashes[i]);
      if (best < 0 || Long.compareUnsigned(score, bestScore) > 0) {
        best = i;
        bestScore = score;
      }
    }
    if (best < 0) {
      return null;
    }
    @SuppressWarnings("unchecked") // nodes holds only nodes of type N
    N node = (N) s.nodes[best];
    return node;
  }

  @Override
  public void addNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      NodeSet<N> next = state.set.with(node, name);
      if (next != state.set) {
        state = new Nodes<>(next);
      }
    }
  }

  @Override
  public void removeNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      NodeSet<N> next = state.set.without(name);
      if (next != state.set) {
        state = new Nodes<>(next);
      }
    }
  }

  @Override
  public List<N> nodes() {
    return state.set.nodes();
  }

  @Override
  public int size() {
    return state.set.size();
  }

  @Override
  public String toString() {
    return "Rendezvous{nodes=" + nodes() + "}";
  }

  /** The SplitMix64 finalizer (Stafford's variant 13): a bijective 64-bit mix. */
  static long mix(long z) {
    long x = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    return x ^ (x >>> 31);
  }
}
