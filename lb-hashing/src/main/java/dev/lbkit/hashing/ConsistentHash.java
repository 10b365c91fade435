package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * More virtual nodes balance better and cost memory, build and change time linearly; lookup time
 * stays constant.
 *
 * <h2>Cost and thread safety</h2>
 *
 * With {@code P} the number of points (the sum of weight x virtualNodes, at most {@value
 * #MAX_POINTS}) and {@code n} the number of nodes:
 *
 * <ul>
 *   <li>{@link #getNode(String)}: hashes the key, shifts its position to find its bucket (an arc of
 *       the circle holding 4 to 8 points on average) and scans the bucket: O(1) expected, no
 *       allocation, no lock. Measured at 0.9 to 1.35 times a {@link Maglev} lookup at 100 and 1,000
 *       nodes, where the binary search over all points this replaced took about 1.6 times (see
 *       {@code docs/hashing.md}).
 *   <li>{@link #addNode} and {@link #removeNode}: O(w x virtualNodes + n) for a node of weight
 *       {@code w}: its points are hashed (about 10 ns each) and merged into, or filtered out of,
 *       the buckets they fall in, which are copied; so is the bucket directory (at most 2^16
 *       references while the ring has up to about 500,000 points; beyond, a top level of {@code P /
 *       512} to {@code P / 256} references and the 64-reference chunks touched) and the node tables
 *       (O(n) words). Nothing else is copied. When the points per bucket leave [1, 16] (the ring
 *       grew 2 to 4 times, or shrank 4 to 8 times, since it was last bucketed), a change also
 *       rebuckets all points: O(P), amortized O(1) per point changed. Measured: about 40
 *       microseconds for a node of weight 1 on a ring of 10^4 nodes (1.5 x 10^6 points), about 0.3
 *       ms at 10^5 nodes; a weight change costs the points it adds or removes.
 *   <li>Construction: O(P) expected: every point hashed, appended to a partition by its top bits,
 *       then counted into its bucket, and each bucket's few points sorted; about 0.7 s of CPU for
 *       10^5 nodes (1.5 x 10^7 points), plus the collector's share of the 560 MB it allocates.
 *   <li>Memory: 16 bytes per point in its bucket, plus about 44 bytes per bucket: 22 to 26 bytes
 *       per point measured, some 350 MB at {@value #MAX_POINTS} points.
 * </ul>
 *
 * <p>Changes build a new immutable snapshot, sharing every untouched bucket with the old one, and
 * publish it with one volatile write; they are serialized among themselves.
 *
 * <p>All methods may be called from any thread at any time; a lookup concurrent with a change sees
 * the ring either before or after it, never in between.
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

  /**
   * The most points a ring may hold in all, the sum over its nodes of weight x virtual nodes: 2^24
   * = 16,777,216, room for 10^5 nodes of 150 virtual nodes (1.5 x 10^7 points, about 350 MB).
   */
  public static final int MAX_POINTS = 1 << 24;

  private final int virtualNodes;
  private final long maxPoints;
  private final Function<? super N, String> nodeName;
  private final Object writeLock = new Object();
  private volatile Ring<N> ring;

  /** Creates an empty ring with {@value #DEFAULT_VIRTUAL_NODES} virtual nodes per node. */
  public ConsistentHash() {
    this(List.of());
  }

  /**
   * Creates a ring over {@code nodes} with {@value #DEFAULT_VIRTUAL_NODES} virtual nodes per node.
   *
   * @throws NullPointerException if {@code nodes} or one of them is null
   * @throws IllegalArgumentException if two distinct nodes share a name, a node has no stable name
   *     (see {@link ConsistentHash}), or the ring would hold more than {@value #MAX_POINTS} points
   */
  public ConsistentHash(Collection<N> nodes) {
    this(nodes, DEFAULT_VIRTUAL_NODES);
  }

  /**
   * Creates a ring over {@code nodes} with {@code virtualNodes} points per node.
   *
   * @throws IllegalArgumentException if {@code virtualNodes} is not in {@code [1, 65536]}, two
   *     distinct nodes share a name, a node has no stable name, or the ring would hold more than
   *     {@value #MAX_POINTS} points
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
   *     distinct nodes share a name, {@code nodeName} returns an empty name, or the ring would hold
   *     more than {@value #MAX_POINTS} points
   * @throws NullPointerException if an argument or a node is null
   */
  public ConsistentHash(
      Collection<N> nodes, int virtualNodes, Function<? super N, String> nodeName) {
    this(NodeSet.of(nodes, nodeName), virtualNodes, nodeName);
  }

  /** Creates a ring over a named, weighted node set; see {@link PlacementType#create}. */
  ConsistentHash(NodeSet<N> nodes, int virtualNodes, Function<? super N, String> nodeName) {
    this(nodes, virtualNodes, nodeName, MAX_POINTS, RingIndex.Shape.DEFAULT);
  }

  /**
   * Creates a ring that holds at most {@code maxPoints} points in an index of {@code shape}; tests
   * use a small bound and small shapes.
   */
  ConsistentHash(
      NodeSet<N> nodes,
      int virtualNodes,
      Function<? super N, String> nodeName,
      long maxPoints,
      RingIndex.Shape shape) {
    this.virtualNodes = checkVirtualNodes(virtualNodes);
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.maxPoints = maxPoints;

    for (int i = 0; i < nodes.size(); i++) {
      checkPointsPerNode(nodes.weight(i));
    }
    checkPoints(nodes.totalWeight() * virtualNodes); // before any point is hashed
    this.ring = Ring.build(nodes, virtualNodes, Objects.requireNonNull(shape, "shape"));
  }

  private static int checkVirtualNodes(int virtualNodes) {
    if (virtualNodes < 1 || virtualNodes > MAX_VIRTUAL_NODES) {
      throw new IllegalArgumentException(
          "virtualNodes: " + virtualNodes + " (expected: 1.." + MAX_VIRTUAL_NODES + ")");
    }
    return virtualNodes;
  }

  /**
   * Adds {@code node}; keys move only from other nodes onto it. Adding a node already on the ring
   * does nothing.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if a different node with the same name is on the ring, the
   *     node has no stable name, or the ring would hold more than {@value #MAX_POINTS} points
   */
  @Override
  public void addNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      Ring<N> current = ring;
      changeLocked(current, current.nodes.with(node, name), node, name);
    }
  }

  /**
   * Adds {@code node} with {@code weight x virtualNodes} points, or gives a present node that many:
   * raising a weight adds points (keys move only onto the node), lowering it removes points (keys
   * move only off the node), since a node's points are a prefix of one sequence of replicas.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if {@code weight} is not in {@code [1, MAX_WEIGHT]}, {@code
   *     weight x virtualNodes} exceeds {@value #MAX_POINTS_PER_NODE}, a different node has the same
   *     name, or the ring would hold more than {@value #MAX_POINTS} points
   */
  @Override
  public void addNode(N node, int weight) {
    Objects.requireNonNull(node, "node");
    NodeSet.checkWeight(weight);
    checkPointsPerNode(weight);
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      Ring<N> current = ring;
      changeLocked(current, current.nodes.with(node, name, weight), node, name);
    }
  }

  private void checkPointsPerNode(int weight) {
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

  private void checkPoints(long points) {
    if (points > maxPoints) {
      throw new IllegalArgumentException(
          "points: "
              + points
              + " (expected: <= "
              + maxPoints
              + (maxPoints == MAX_POINTS ? " = 2^24" : "")
              + " in all, the sum over the nodes of weight x virtualNodes; virtualNodes is "
              + virtualNodes
              + ")");
    }
  }

  /**
   * Publishes the ring of {@code next}, in which the node named {@code name} was added or
   * reweighed.
   */
  private void changeLocked(Ring<N> current, NodeSet<N> next, N node, String name) {
    if (next == current.nodes) {
      return;
    }
    int oldPoints = current.nodes.weight(name) * virtualNodes;
    int newPoints = next.weight(name) * virtualNodes;
    checkPoints((long) current.index.points() - oldPoints + newPoints);
    ring = current.withNode(next, node, name, oldPoints, newPoints);
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
      Ring<N> current = ring;
      int rank = current.nodes.indexOf(name);
      if (rank >= 0) {
        ring = current.without(rank, current.nodes.weight(rank) * virtualNodes);
      }
    }
  }

  /**
   * Returns the node that owns {@code key}, or null when the ring is empty. O(1) expected;
   * allocates nothing.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  public @Nullable N getNode(String key) {
    return ownerIn(ring, key);
  }

  private static <N> @Nullable N ownerIn(Ring<N> r, String key) {
    long position = KeyHash.of(key);
    RingIndex index = r.index;
    return index.points() == 0 ? null : r.node(index.ownerOf(position));
  }

  /**
   * Returns the first node, walking clockwise from {@code key}'s position, that {@code eligible}
   * accepts; null when none does or the ring is empty. With every node eligible this is {@link
   * #getNode(String)}; otherwise a key whose owner is not eligible goes to the same fallback in
   * every process, and returns to its owner once the owner is eligible again. Asks {@code eligible}
   * about each node at most once; O(1) expected plus the walk, which allocates only once a node has
   * been found ineligible.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public @Nullable N getNode(String key, Predicate<? super N> eligible) {
    Objects.requireNonNull(eligible, "eligible");
    long position = KeyHash.of(key);
    Ring<N> r = ring;
    RingIndex index = r.index;
    if (index.points() == 0) {
      return null;
    }
    int b = index.bucketOf(position);
    long[] bucket = index.bucket(b);
    int j = RingIndex.search(bucket, index.offsetOf(position));
    N owner = r.node(RingIndex.id(bucket, j));
    if (eligible.test(owner)) {
      return owner;
    }
    return walk(r, b, j, owner, eligible);
  }

  /**
   * The rest of the clockwise walk, once {@code first}, the owner of entry {@code j} of bucket
   * {@code b} (of the point after the bucket when {@code j} is its sentinel), has been rejected:
   * every other point once, each node asked once at most.
   */
  private static <N> @Nullable N walk(
      Ring<N> r, int b, int j, N first, Predicate<? super N> eligible) {
    int distinct = r.nodes.size();
    if (distinct == 1) {
      return null;
    }
    Set<Object> rejected = Collections.newSetFromMap(new IdentityHashMap<>());
    rejected.add(first);
    RingIndex index = r.index;
    int mask = index.buckets() - 1;
    long[] bucket = index.bucket(b);
    int entry = j;
    while (entry >= RingIndex.count(bucket)) { // j is the sentinel: first's point is further on
      b = (b + 1) & mask;
      bucket = index.bucket(b);
      entry = 0;
    }
    for (int step = 1; step < index.points(); step++) { // every other point once, clockwise
      entry++;
      while (entry >= RingIndex.count(bucket)) { // skip sentinels and empty buckets
        b = (b + 1) & mask;
        bucket = index.bucket(b);
        entry = 0;
      }
      N candidate = r.node(RingIndex.id(bucket, entry));
      if (rejected.contains(candidate)) {
        continue;
      }
      if (eligible.test(candidate)) {
        return candidate;
      }
      rejected.add(candidate);
      if (rejected.size() == distinct) {
        break;
      }
    }
    return null;
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
    Ring<N> r = ring;
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

  /** The points' positions in ring order, unsigned; for tests. */
  long[] positions() {
    return ring.index.positions();
  }

  /** The points' owners in ring order; for tests. */
  List<N> owners() {
    Ring<N> r = ring;
    List<N> owners = new ArrayList<>();
    for (int id : r.index.ids()) {
      owners.add(r.node(id));
    }
    return owners;
  }

  /** Checks the ring's internal invariants, throwing {@code IllegalStateException}; for tests. */
  void checkInvariants() {
    Ring<N> r = ring;
    r.index.check();
    for (int rank = 0; rank < r.nodes.size(); rank++) {
      int id = r.idsByRank[rank];
      if (r.nodesById[id] != r.nodes.nodes().get(rank)
          || !r.nodes.name(rank).equals(r.namesById[id])) {
        throw new IllegalStateException("ids: node " + rank + " is not id " + id);
      }
    }
  }

  /*
   * Design notes.
   *
   * The points live in a RingIndex: 2^bits buckets, bucket b holding the points whose position has
   * b as its top bits (4 to 8 of them on average), each bucket one small long[] of (offset, owner
   * id) pairs in ring order and a sentinel whose id is the owner of the first point after the
   * bucket. A lookup shifts the key's position to find its bucket and scans a few offsets: O(1)
   * expected, where a binary search over n x 150 points took 14 to 24 dependent, mostly
   * cache-missing steps, and even a key past its bucket's last point is answered from its bucket.
   * The alternatives measured (ids packed apart from the offsets, a branch-free binary search in
   * the bucket) are in RingIndex's comment.
   *
   * Nodes are ids (small ints, reused once free) into nodesById and namesById, so a bucket holds no
   * reference, 16 bytes per point. A TreeMap<Long, N> would take about 80 and box the key on every
   * lookup.
   *
   * A change touches only the buckets of the points it adds or removes (a node's 150 points touch
   * about 150 buckets): it copies those buckets, the directory above them (flat, or the top level
   * and the chunks touched), and the node tables (O(n) words, no per-node allocation), and
   * publishes the new Ring with one volatile write. Nothing reachable from a published Ring is
   * written again, so lookups never lock and see the ring before or after a change, never in
   * between. Since a change only merges or filters the node's own points, ties and order come out
   * exactly as in a ring built at once (the jqwik properties of RingChangeProperties check this
   * point for point).
   *
   * Positions are unsigned 64-bit numbers; within a bucket a point is stored as its offset (its
   * position without the bucket's top bits), which is below 2^63, so a plain `<` compares offsets.
   * Equal positions (a 64-bit collision, never seen in practice but possible) are ordered by node
   * name, so even then the layout depends only on the node set; the scan stops at the first of a
   * run of equal points.
   */

  /** One immutable state of the ring: the named nodes, their ids, and the indexed points. */
  private static final class Ring<N> {
    private static final int[] NO_IDS = new int[0];

    final NodeSet<N> nodes;
    final int[] idsByRank; // the id of each node in name order
    final @Nullable Object[] nodesById; // null where an id is free
    final @Nullable String[] namesById;
    final int[] freeIds; // a stack of the free ids below nodesById.length
    final RingIndex index;

    Ring(
        NodeSet<N> nodes,
        int[] idsByRank,
        @Nullable Object[] nodesById,
        @Nullable String[] namesById,
        int[] freeIds,
        RingIndex index) {
      this.nodes = nodes;
      this.idsByRank = idsByRank;
      this.nodesById = nodesById;
      this.namesById = namesById;
      this.freeIds = freeIds;
      this.index = index;
    }

    /**
     * The ring of {@code nodes}, node {@code i} in name order getting id {@code i}: hashes every
     * point into one array, then buckets it. O(points) expected.
     */
    static <N> Ring<N> build(NodeSet<N> nodes, int virtualNodes, RingIndex.Shape shape) {
      int n = nodes.size();
      int[] ids = new int[n];
      @Nullable Object[] byId = new Object[n];
      @Nullable String[] names = new String[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i;
        byId[i] = nodes.node(i);
        names[i] = nodes.name(i);
      }
      RingIndex index =
          RingIndex.build(
              shape,
              new RingIndex.Source() {
                @Override
                public int owners() {
                  return n;
                }

                @Override
                public int count(int id) {
                  return nodes.weight(id) * virtualNodes;
                }

                @Override
                public void positions(int id, long[] into) {
                  KeyHash.replicas(nodes.name(id), 0, count(id), into);
                }
              });
      return new Ring<>(nodes, ids, byId, names, NO_IDS, index);
    }

    // nodesById holds only nodes of type N, and every id in the index names one
    @SuppressWarnings({"unchecked", "NullAway"})
    N node(int id) {
      return (N) nodesById[id];
    }

    /**
     * This ring with the node named {@code name} added as {@code node}, or its points changed from
     * {@code oldPoints} to {@code newPoints}; {@code next} is the new node set.
     */
    Ring<N> withNode(NodeSet<N> next, N node, String name, int oldPoints, int newPoints) {
      int rank = nodes.indexOf(name);
      if (rank >= 0) { // a weight change (or a new instance of an equal node)
        int id = idsByRank[rank];
        @Nullable Object[] byId = nodesById.clone();
        byId[id] = node;
        RingIndex changed = index;
        if (newPoints > oldPoints) {
          changed = index.plus(sortedPoints(name, oldPoints, newPoints), id, name, this::nameOf);
        } else if (newPoints < oldPoints) {
          changed = index.minus(sortedPoints(name, newPoints, oldPoints), id);
        }
        return new Ring<>(next, idsByRank, byId, namesById, freeIds, changed);
      }
      int at = -rank - 1;
      int id;
      int[] free = freeIds;
      @Nullable Object[] byId;
      @Nullable String[] names;
      if (free.length > 0) {
        id = free[free.length - 1];
        free = Arrays.copyOf(free, free.length - 1);
        byId = nodesById.clone();
        names = namesById.clone();
      } else {
        id = nodesById.length;
        byId = Arrays.copyOf(nodesById, id + 1);
        names = Arrays.copyOf(namesById, id + 1);
      }
      byId[id] = node;
      names[id] = name;
      int[] ids = new int[idsByRank.length + 1];
      System.arraycopy(idsByRank, 0, ids, 0, at);
      ids[at] = id;
      System.arraycopy(idsByRank, at, ids, at + 1, idsByRank.length - at);
      RingIndex changed =
          index.plus(
              sortedPoints(name, 0, newPoints), id, name, i -> Objects.requireNonNull(names[i]));
      return new Ring<>(next, ids, byId, names, free, changed);
    }

    /** This ring without the node of name rank {@code rank}, which has {@code points} points. */
    Ring<N> without(int rank, int points) {
      String name = nodes.name(rank);
      int id = idsByRank[rank];
      RingIndex changed = index.minus(sortedPoints(name, 0, points), id);
      @Nullable Object[] byId = nodesById.clone();
      @Nullable String[] names = namesById.clone();
      byId[id] = null;
      names[id] = null;
      int[] free = Arrays.copyOf(freeIds, freeIds.length + 1);
      free[freeIds.length] = id;
      int[] ids = new int[idsByRank.length - 1];
      System.arraycopy(idsByRank, 0, ids, 0, rank);
      System.arraycopy(idsByRank, rank + 1, ids, rank, ids.length - rank);
      return new Ring<>(nodes.without(name), ids, byId, names, free, changed);
    }

    private String nameOf(int id) {
      return Objects.requireNonNull(namesById[id]);
    }

    /** Replicas {@code [from, to)} of {@code name}, in unsigned order. */
    private static long[] sortedPoints(String name, int from, int to) {
      long[] points = KeyHash.replicas(name, from, to);
      for (int i = 0; i < points.length; i++) {
        points[i] ^= Long.MIN_VALUE; // unsigned order as signed order, for the sort
      }
      Arrays.sort(points);
      for (int i = 0; i < points.length; i++) {
        points[i] ^= Long.MIN_VALUE;
      }
      return points;
    }
  }
}
