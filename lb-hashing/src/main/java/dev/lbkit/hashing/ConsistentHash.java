package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A consistent hash ring with virtual nodes (the ketama construction): each node owns {@code
 * virtualNodes} points on a 64-bit circle, and a key belongs to the first point at or clockwise
 * after the key's own position.
 *
 * <pre>{@code
 * ConsistentHash<String> ring = new ConsistentHash<>(List.of("cache-1", "cache-2", "cache-3"));
 * String owner = ring.getNode("user:123");   // the same answer in every process
 * ring.addNode("cache-4");                   // about 1/4 of the keys move, all onto cache-4
 * }</pre>
 *
 * <h2>Placement</h2>
 *
 * Positions come from {@link KeyHash}: a key sits at {@code KeyHash.of(key)} and virtual node
 * {@code i} of a node named {@code s} at {@code KeyHash.replica(s, i)}, both read as unsigned
 * 64-bit numbers; points that collide are ordered by node name. So the placement depends only on
 * the set of node names and the virtual node count: two rings built in any order, in two JVMs, on
 * two machines, map every key to the same node. Adding a node moves keys only onto it; removing one
 * moves only its own keys.
 *
 * <p>A node's name is {@link Identified#id()} when the node is {@link Identified}, its {@code
 * toString()} otherwise (stable for strings, boxed numbers, enums, UUIDs), or whatever the {@code
 * nodeName} function given to the constructor says. Two distinct nodes may not share a name.
 *
 * <p>A node of weight {@code w} ({@link #addNode(Object, int)}) has {@code w x virtualNodes}
 * points, replicas {@code 0} to {@code w x virtualNodes - 1} of its name, and so about {@code w}
 * times the keys of a node of weight 1. Weight 1 is the unweighted ring, point for point.
 *
 * <h2>Balance</h2>
 *
 * A node's share of the circle is a sum of {@code virtualNodes} arcs, so its relative standard
 * deviation is about {@code 1/sqrt(virtualNodes)}: 8.2% at the default 150. With 10 nodes the
 * busiest one holds on average about 1.13 to 1.16x the mean share (about 1.22x with 100 nodes).
 * More virtual nodes balance better and cost memory and build time linearly, lookup time
 * logarithmically.
 *
 * <h2>Cost and thread safety</h2>
 *
 * <ul>
 *   <li>{@link #getNode(String)}: hashes the key and binary-searches a sorted {@code long[]} of
 *       {@code n x virtualNodes} points; O(log(n x virtualNodes)), no allocation, no lock.
 *   <li>{@link #addNode}: O(n x virtualNodes) (a merge of the new node's sorted points); {@link
 *       #removeNode}: O(n x virtualNodes) (a filter). Both build a new snapshot and publish it with
 *       one volatile write; they are serialized among themselves.
 * </ul>
 *
 * All methods may be called from any thread at any time; a lookup concurrent with a change sees the
 * ring either before or after it, never in between.
 *
 * @param <N> the node type; equal nodes must have equal names
 */
public final class ConsistentHash<N> implements Placement<N> {

  /** Virtual nodes per node when none are given: 150. */
  public static final int DEFAULT_VIRTUAL_NODES = 150;

  /** The largest number of virtual nodes per node a ring accepts: 65,536. */
  public static final int MAX_VIRTUAL_NODES = 1 << 16;

  /** The most points one node may have on the ring (weight x virtual nodes): 2^21. */
  public static final int MAX_POINTS_PER_NODE = 1 << 21;

  private final int virtualNodes;
  private final Function<? super N, String> nodeName;
  private final Object writeLock = new Object();
  private volatile Ring ring;

  /** Creates an empty ring with {@value #DEFAULT_VIRTUAL_NODES} virtual nodes per node. */
  public ConsistentHash() {
    this(List.of());
  }

  /**
   * Creates a ring over {@code nodes} with {@value #DEFAULT_VIRTUAL_NODES} virtual nodes per node.
   *
   * @throws NullPointerException if {@code nodes} or one of them is null
   * @throws IllegalArgumentException if two distinct nodes share a name, or a node has no stable
   *     name (see {@link ConsistentHash})
   */
  public ConsistentHash(Collection<N> nodes) {
    this(nodes, DEFAULT_VIRTUAL_NODES);
  }

  /**
   * Creates a ring over {@code nodes} with {@code virtualNodes} points per node.
   *
   * @throws IllegalArgumentException if {@code virtualNodes} is not in {@code [1, 65536]}, two
   *     distinct nodes share a name, or a node has no stable name
   * @throws NullPointerException if {@code nodes} or one of them is null
   */
  public ConsistentHash(Collection<N> nodes, int virtualNodes) {
    this(nodes, virtualNodes, NodeNames::defaultName);
  }

  /**
   * Creates a ring over {@code nodes} with {@code virtualNodes} points per node, naming each node
   * for hashing with {@code nodeName}. The name must be stable and distinct per node (see {@link
   * Identified}).
   *
   * @throws IllegalArgumentException if {@code virtualNodes} is not in {@code [1, 65536]}, two
   *     distinct nodes share a name, or {@code nodeName} returns an empty name
   * @throws NullPointerException if an argument or a node is null
   */
  public ConsistentHash(
      Collection<N> nodes, int virtualNodes, Function<? super N, String> nodeName) {
    this(NodeSet.of(nodes, nodeName), virtualNodes, nodeName);
  }

  /** Creates a ring over a named, weighted node set; see {@link PlacementType#create}. */
  ConsistentHash(NodeSet<N> nodes, int virtualNodes, Function<? super N, String> nodeName) {
    if (virtualNodes < 1 || virtualNodes > MAX_VIRTUAL_NODES) {
      throw new IllegalArgumentException(
          "virtualNodes: " + virtualNodes + " (expected: 1.." + MAX_VIRTUAL_NODES + ")");
    }
    this.virtualNodes = virtualNodes;
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    for (int i = 0; i < nodes.size(); i++) {
      checkPoints(nodes.weight(i));
    }
    this.ring = buildRing(nodes);
  }

  /**
   * Adds {@code node}; keys move only from other nodes onto it. Adding a node already on the ring
   * does nothing.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if a different node with the same name is on the ring, or the
   *     node has no stable name
   */
  @Override
  public void addNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      Ring current = ring;
      addLocked(current, current.nodes.with(node, name), node, name);
    }
  }

  /**
   * Adds {@code node} with {@code weight x virtualNodes} points, or gives a present node that many:
   * raising a weight adds points (keys move only onto the node), lowering it removes points (keys
   * move only off the node), since a node's points are a prefix of one sequence of replicas.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if {@code weight} is not in {@code [1, MAX_WEIGHT]}, {@code
   *     weight x virtualNodes} exceeds {@value #MAX_POINTS_PER_NODE}, or a different node has the
   *     same name
   */
  @Override
  public void addNode(N node, int weight) {
    Objects.requireNonNull(node, "node");
    NodeSet.checkWeight(weight);
    checkPoints(weight);
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      Ring current = ring;
      addLocked(current, current.nodes.with(node, name, weight), node, name);
    }
  }

  private void checkPoints(int weight) {
    if ((long) weight * virtualNodes > MAX_POINTS_PER_NODE) {
      throw new IllegalArgumentException(
          "weight: "
              + weight
              + " (expected: <= "
              + MAX_POINTS_PER_NODE / virtualNodes
              + " with "
              + virtualNodes
              + " virtual nodes)");
    }
  }

  private void addLocked(Ring current, NodeSet<N> next, N node, String name) {
    if (next == current.nodes) {
      return;
    }
    N present = current.nodes.get(name);
    Points others = present == null ? current : current.without(present);
    ring = new Ring(merge(others, pointsOf(node, name, next.weight(name))), next);
  }

  @Override
  public int weight(N node) {
    Objects.requireNonNull(node, "node");
    return ring.nodes.weight(NodeNames.nameOf(nodeName, node));
  }

  /**
   * Removes the node named like {@code node}; only that node's keys move, each to the next node
   * clockwise. Removing a node that is not on the ring does nothing.
   *
   * @throws NullPointerException if {@code node} is null
   */
  @Override
  public void removeNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      Ring current = ring;
      N present = current.nodes.get(name);
      if (present != null) {
        ring = new Ring(current.without(present), current.nodes.without(name));
      }
    }
  }

  /**
   * Returns the node that owns {@code key}, or null when the ring is empty. O(log(n x
   * virtualNodes)); allocates nothing.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  public @Nullable N getNode(String key) {
    return ownerIn(ring, key);
  }

  private @Nullable N ownerIn(Ring r, String key) {
    long position = unsigned(KeyHash.of(key));
    long[] points = r.points;
    if (points.length == 0) {
      return null;
    }
    int i = lowerBound(points, position);
    return cast(r.owners[i == points.length ? 0 : i]);
  }

  /**
   * Returns the first node, walking clockwise from {@code key}'s position, that {@code eligible}
   * accepts; null when none does or the ring is empty. With every node eligible this is {@link
   * #getNode(String)}; otherwise a key whose owner is not eligible goes to the same fallback in
   * every process, and returns to its owner once the owner is eligible again. Asks {@code eligible}
   * about each node at most once; O(log(n x virtualNodes)) plus the walk, which allocates only once
   * a node has been found ineligible.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public @Nullable N getNode(String key, Predicate<? super N> eligible) {
    Objects.requireNonNull(eligible, "eligible");
    long position = unsigned(KeyHash.of(key));
    Ring r = ring;
    long[] points = r.points;
    int total = points.length;
    if (total == 0) {
      return null;
    }
    int start = lowerBound(points, position);
    return ProbeOrder.firstEligible(r.owners, start == total ? 0 : start, r.nodes.size(), eligible);
  }

  /**
   * Counts, for each node, how many of {@code keys} it owns. Every node on the ring appears in the
   * result, in name order, with zero if it owns none of the keys.
   *
   * @return an unmodifiable map from node to count
   * @throws NullPointerException if {@code keys} or one of them is null
   */
  @Override
  public Map<N, Integer> getDistribution(Iterable<String> keys) {
    Ring r = ring;
    return Distributions.count(r.nodes.nodes(), keys, key -> ownerIn(r, key));
  }

  /** Returns the nodes on the ring now, as an unmodifiable snapshot in name order. */
  @Override
  public List<N> nodes() {
    return ring.nodes.nodes();
  }

  /** Returns the number of nodes on the ring now. */
  @Override
  public int size() {
    return ring.nodes.size();
  }

  /** Returns the number of points each node owns on the ring. */
  public int virtualNodes() {
    return virtualNodes;
  }

  @Override
  public String toString() {
    return "ConsistentHash{nodes=" + nodes() + ", virtualNodes=" + virtualNodes + "}";
  }

  /*
   * Design notes.
   *
   * The ring is two parallel arrays, sorted by position: `points` (long) and `owners` (the node of
   * each point). A TreeMap<Long, N> would box the key on every lookup (24 B) and chase pointers;
   * a sorted primitive array is searched in cache-friendly strides and allocates nothing.
   *
   * Positions are unsigned 64-bit numbers. They are stored with the sign bit flipped, which maps
   * unsigned order onto Java's signed order, so a plain `<` compares them.
   *
   * Equal positions (a 64-bit collision, never seen in practice but possible) are ordered by node
   * name, so even then the layout depends only on the node set. The search returns the first of a
   * run of equal points, so the order is honoured.
   *
   * Writers merge or filter the arrays into new ones and publish a new Ring through the volatile
   * field; nothing reachable from a published Ring is ever written again.
   */

  @SuppressWarnings("unchecked") // owners holds only nodes of type N
  private N cast(@Nullable Object node) {
    return (N) Objects.requireNonNull(node);
  }

  /** Maps an unsigned 64-bit position onto signed order. */
  private static long unsigned(long position) {
    return position ^ Long.MIN_VALUE;
  }

  /** Returns the index of the first point at or after {@code position}, or the length if none. */
  private static int lowerBound(long[] points, long position) {
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (points[mid] < position) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private Ring buildRing(NodeSet<N> nodes) {
    List<Points> perNode = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      perNode.add(pointsOf(nodes.nodes().get(i), nodes.names().get(i), nodes.weight(i)));
    }
    return new Ring(mergeAll(perNode, 0, perNode.size()), nodes);
  }

  /** Merges the sorted point sets {@code [from, to)} pairwise: O(total x log(count)). */
  private Points mergeAll(List<Points> sets, int from, int to) {
    if (to - from == 0) {
      return new Points(new long[0], new Object[0]);
    }
    if (to - from == 1) {
      return sets.get(from);
    }
    int mid = (from + to) >>> 1;
    return merge(mergeAll(sets, from, mid), mergeAll(sets, mid, to));
  }

  /** The sorted points of one node: replicas {@code [0, weight x virtualNodes)} of its name. */
  private Points pointsOf(N node, String name, int weight) {
    int count = weight * virtualNodes;
    long[] positions = KeyHash.replicas(name, count);
    for (int i = 0; i < count; i++) {
      positions[i] = unsigned(positions[i]);
    }
    Arrays.sort(positions);
    Object[] owners = new Object[count];
    Arrays.fill(owners, node);
    return new Points(positions, owners);
  }

  private Points merge(Points a, Points b) {
    int n = a.positions.length + b.positions.length;
    long[] positions = new long[n];
    Object[] owners = new Object[n];
    int i = 0;
    int j = 0;
    for (int k = 0; k < n; k++) {
      boolean takeA;
      if (i == a.positions.length) {
        takeA = false;
      } else if (j == b.positions.length) {
        takeA = true;
      } else if (a.positions[i] != b.positions[j]) {
        takeA = a.positions[i] < b.positions[j];
      } else { // a 64-bit collision: order by name, so the layout depends only on the node set
        takeA = nameOf(a.owners[i]).compareTo(nameOf(b.owners[j])) <= 0;
      }
      if (takeA) {
        positions[k] = a.positions[i];
        owners[k] = a.owners[i++];
      } else {
        positions[k] = b.positions[j];
        owners[k] = b.owners[j++];
      }
    }
    return new Points(positions, owners);
  }

  private String nameOf(Object owner) {
    return NodeNames.nameOf(nodeName, cast(owner));
  }

  /** Sorted points with their owners; never written after construction. */
  private static class Points {
    final long[] positions;
    final Object[] owners;

    Points(long[] positions, Object[] owners) {
      this.positions = positions;
      this.owners = owners;
    }

    /** Returns these points without those of {@code owner}. */
    Points without(Object owner) {
      int kept = 0;
      for (Object o : owners) {
        if (o != owner) {
          kept++;
        }
      }
      long[] p = new long[kept];
      Object[] o = new Object[kept];
      int k = 0;
      for (int i = 0; i < owners.length; i++) {
        if (owners[i] != owner) {
          p[k] = positions[i];
          o[k++] = owners[i];
        }
      }
      return new Points(p, o);
    }
  }

  /** One immutable state of the ring: its points and the named nodes they belong to. */
  private final class Ring extends Points {
    final long[] points;
    final NodeSet<N> nodes;

    Ring(Points sorted, NodeSet<N> nodes) {
      super(sorted.positions, sorted.owners);
      this.points = sorted.positions;
      this.nodes = nodes;
    }
  }
}
