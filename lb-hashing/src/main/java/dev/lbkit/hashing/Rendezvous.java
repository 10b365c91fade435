package dev.lbkit.hashing;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
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
 * <p>The hash of node {@code s} for key {@code k} is {@code h = mix(KeyHash.of(k) XOR
 * KeyHash.of(s))}, {@code mix} being the SplitMix64 finalizer. Unweighted, the score is {@code h}
 * read as unsigned; equal scores go to the node first in name order. It depends only on the key and
 * the set of node names.
 *
 * <p>Weights ({@link #addNode(Object, int)}) use the logarithmic method (Schindelhauer and
 * Schomaker, "Weighted distributed hash tables", 2005; the weighted HRW of Resch et al.): with
 * {@code u} the top 53 bits of {@code h} as a number in the open interval (0, 1), {@code u = min((
 * (h >>> 11) + 0.5) / 2^53, 1 - 2^-53)} in double arithmetic, the score is {@code -weight / ln(u)}:
 * finite and positive for every 64-bit {@code h}, and never lower for a higher {@code h}. Then a
 * node's chance of the highest score is exactly its share of the total weight, and a weight change
 * moves keys only onto or off that node. While every node has weight 1 the unweighted score is
 * used, so unweighted placements are the same key for key.
 *
 * <p>{@link #getNode}: O(n), no allocation, no lock. {@link #getNode(String, Predicate)}: the probe
 * order is descending score, O(n) for each of the first three nodes tried (no allocation), then one
 * O(n log n) ranking of every node for the rest, so a probe that every node refuses costs O(n log
 * n) rather than O(n^2) (210 ms at 10^4 nodes). {@link #addNode}, {@link #removeNode}: O(n),
 * published with one volatile write. Thread-safe.
 *
 * @param <N> the node type; see {@link Identified} for how nodes are named
 */
public final class Rendezvous<N> extends SnapshotPlacement<N, Rendezvous.Nodes<N>> {

  /** How many nodes a probe tries by scans, O(n) each, before it ranks them all once. */
  private static final int SCANS_BEFORE_SORT = 3;

  /** One immutable state: the nodes in name order, their name hashes and weights. */
  static final class Nodes<N> {
    final NodeSet<N> set;
    final Object[] nodes;
    final long[] hashes;
    final double @Nullable [] weights; // null while every weight is 1

    Nodes(NodeSet<N> set) {
      this(set, hashesOf(set.names()));
    }

    private Nodes(NodeSet<N> set, long[] hashes) {
      this.set = set;
      this.nodes = set.nodes().toArray();
      this.hashes = hashes;
      if (set.weighted()) {
        double[] w = new double[nodes.length];
        for (int i = 0; i < w.length; i++) {
          w[i] = set.weight(i);
        }
        this.weights = w;
      } else {
        this.weights = null;
      }
    }

    /**
     * The state after the node named {@code name} was added to, removed from or reweighed in this
     * one: the other nodes' name hashes are copied, not computed again. O(n) copies, one hash.
     */
    Nodes<N> changed(NodeSet<N> next, String name) {
      int was = set.indexOf(name);
      int is = next.indexOf(name);
      long[] h;
      if (was >= 0 && is >= 0) {
        h = hashes;
      } else if (was >= 0) {
        h = new long[hashes.length - 1];
        System.arraycopy(hashes, 0, h, 0, was);
        System.arraycopy(hashes, was + 1, h, was, h.length - was);
      } else {
        h = new long[hashes.length + 1];
        System.arraycopy(hashes, 0, h, 0, is);
        h[is] = KeyHash.of(name);
        System.arraycopy(hashes, is, h, is + 1, hashes.length - is);
      }
      return new Nodes<>(next, h);
    }

    private static long[] hashesOf(List<String> names) {
      long[] hashes = new long[names.size()];
      for (int i = 0; i < hashes.length; i++) {
        hashes[i] = KeyHash.of(names.get(i));
      }
      return hashes;
    }

    /** The score of node {@code i}, as a long that compares like the score. */
    long rank(long keyHash, int i) {
      long h = mix(keyHash ^ hashes[i]);
      double[] w = weights;
      if (w == null) {
        return h ^ Long.MIN_VALUE; // unsigned order as signed order
      }
      return Double.doubleToRawLongBits(score(h, w[i])); // positive: bits order like values
    }

    @SuppressWarnings("unchecked") // nodes holds only nodes of type N
    N node(int i) {
      return (N) nodes[i];
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
    this(NodeSet.of(nodes, nodeName), nodeName);
  }

  /** Creates a placement over a named, weighted node set; see {@link PlacementType#create}. */
  Rendezvous(NodeSet<N> nodes, Function<? super N, String> nodeName) {
    super(nodeName);
    initialize(nodes);
  }

  @Override
  Nodes<N> build(NodeSet<N> nodes) {
    return new Nodes<>(nodes);
  }

  @Override
  Nodes<N> changed(Nodes<N> current, NodeSet<N> next, String name) {
    return current.changed(next, name);
  }

  @Override
  NodeSet<N> nodesOf(Nodes<N> state) {
    return state.set;
  }

  @Override
  @Nullable N ownerIn(Nodes<N> s, String key) {
    int best = nextBest(s, KeyHash.of(key), Long.MAX_VALUE, -1);
    return best < 0 ? null : s.node(best);
  }

  /**
   * {@inheritDoc} The probe order is descending score: the node the key would go to if its owner
   * were removed, and so on.
   */
  @Override
  public @Nullable N getNode(String key, Predicate<? super N> eligible) {
    Objects.requireNonNull(eligible, "eligible");
    long keyHash = KeyHash.of(key);
    Nodes<N> s = state();
    long boundRank = Long.MAX_VALUE;
    int boundIndex = -1;
    int walked = Math.min(s.nodes.length, SCANS_BEFORE_SORT);
    for (int tried = 0; tried < walked; tried++) {
      int best = nextBest(s, keyHash, boundRank, boundIndex);
      if (best < 0) {
        return null;
      }
      N candidate = s.node(best);
      if (eligible.test(candidate)) {
        return candidate;
      }
      boundRank = s.rank(keyHash, best);
      boundIndex = best;
    }
    if (walked == s.nodes.length) {
      return null;
    }
    // Many refused (every server full, say): rank all once and walk the rest in order, O(n log n)
    // for the whole walk rather than O(n) per node tried.
    Integer[] order = new Integer[s.nodes.length];
    long[] ranks = new long[s.nodes.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
      ranks[i] = s.rank(keyHash, i);
    }
    Arrays.sort(
        order,
        (a, b) -> ranks[a] != ranks[b] ? Long.compare(ranks[b], ranks[a]) : Integer.compare(a, b));
    for (int i = walked; i < order.length; i++) {
      N candidate = s.node(order[i]);
      if (eligible.test(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Returns the index of the best node ranked strictly after {@code (boundRank, boundIndex)}, or
   * -1: higher rank first, equal ranks in name order. {@code boundIndex} -1 means no bound.
   */
  private static int nextBest(Nodes<?> s, long keyHash, long boundRank, int boundIndex) {
    int best = -1;
    long bestRank = 0;
    for (int i = 0; i < s.hashes.length; i++) {
      long rank = s.rank(keyHash, i);
      boolean afterBound =
          boundIndex < 0 || rank < boundRank || (rank == boundRank && i > boundIndex);
      if (afterBound && (best < 0 || rank > bestRank)) {
        best = i;
        bestRank = rank;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return "Rendezvous{nodes=" + nodes() + "}";
  }

  /** The largest double below 1: {@code 1 - 2^-53}. */
  private static final double BELOW_ONE = Math.nextDown(1.0);

  /**
   * Returns the top 53 bits of {@code h} as a number in the open interval (0, 1): {@code ((h >>>
   * 11) + 0.5) / 2^53}, which is exact below 2^52 and rounds to a neighbour above, and at most
   * {@code 1 - 2^-53}. Without that bound, {@code h >>> 11 = 2^53 - 1} (the top 53 bits all ones,
   * one hash in 2^53) rounds to 1.0, whose logarithm is 0: the highest hash would score minus
   * infinity, the lowest score of all. Only that value is affected: every other {@code h} maps as
   * it always did, so weighted placements do not move.
   */
  static double unitInterval(long h) {
    double u = ((h >>> 11) + 0.5) * 0x1.0p-53;
    return u < 1.0 ? u : BELOW_ONE;
  }

  /**
   * Returns the weighted score of a node of {@code weight} whose hash with the key is {@code h}:
   * {@code -weight / ln(u)} with {@code u = unitInterval(h)}. Finite and positive for every {@code
   * h} and positive finite {@code weight}; never lower for a higher {@code h} (as unsigned).
   */
  static double score(long h, double weight) {
    return -weight / Math.log(unitInterval(h));
  }

  /** The SplitMix64 finalizer (Stafford's variant 13): a bijective 64-bit mix. */
  static long mix(long z) {
    long x = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    return x ^ (x >>> 31);
  }
}
