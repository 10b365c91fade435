package dev.lbkit.hashing;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of a prime number of slots
 * in which every node owns as many slots as any other, give or take one; a key belongs to the node
 * in slot {@code KeyHash.of(key) mod tableSize}.
 *
 * <pre>{@code
 * Maglev<String> maglev = new Maglev<>(List.of("cache-1", "cache-2", "cache-3"));
 * String owner = maglev.getNode("user:123");   // one array load after hashing the key
 * }</pre>
 *
 * <h2>Table</h2>
 *
 * Each node has a permutation of the slots, {@code offset + j x skip (mod tableSize)}, with {@code
 * offset = KeyHash.replica(name, 0) mod tableSize} and {@code skip = KeyHash.replica(name, 1) mod
 * (tableSize - 1) + 1}. Nodes take turns, in name order, claiming the next free slot of their
 * permutation until every slot is taken. So the table depends only on the set of node names (Envoy
 * once shipped a Maglev whose table depended on host order: envoyproxy/envoy#20703), and slot
 * counts differ by at most one.
 *
 * <p>Weights ({@link #addNode(Object, int)}) follow Envoy's weighted population: in round {@code r}
 * a node of weight {@code w} claims a slot only while it has claimed fewer than about {@code r x w
 * / maxWeight}, so slot counts are proportional to weight. With every weight 1 this is the
 * unweighted table, slot for slot.
 *
 * <p>The probe order of {@link #getNode(String, Predicate)} is the table itself: from the key's
 * slot onward, so the keys of an ineligible node spread over the owners of the slots after its
 * slots, which are all the other nodes in proportion to their slots.
 *
 * <h2>Choosing the table size</h2>
 *
 * Balance is within 1% when the table has at least 100 x nodes slots: the default 65,537 suits up
 * to about 650 nodes; pass a larger prime for more. The price of Maglev's balance is disruption:
 * when a node leaves, its keys move and so do a few others (about 0.2-0.6% of all keys, more with
 * more nodes), where a ring moves only the leaving node's keys. Rarely two nodes draw the same
 * permutation step (about 1 set of 10 random names in 1,500) and chase the same slots; a change
 * then moves more, up to about 10% of the keys.
 *
 * <h2>Cost and thread safety</h2>
 *
 * {@link #getNode}: a key hash and an array load, no allocation, no lock. {@link #addNode} and
 * {@link #removeNode} rebuild the table: O(tableSize) expected, about a millisecond or two for the
 * default size, published with one volatile write. Thread-safe; lookups see the table before or
 * after a change, never in between.
 *
 * @param <N> the node type; see {@link Identified} for how nodes are named
 */
public final class Maglev<N> extends SnapshotPlacement<N, Maglev.Table<N>> {

  /** The table size when none is given: 65,537, a prime. */
  public static final int DEFAULT_TABLE_SIZE = 65_537;

  /** The largest table accepted: 2^26 slots (256 to 512 MiB of node references). */
  public static final int MAX_TABLE_SIZE = 1 << 26;

  private static final Object[] EMPTY = new Object[0];

  private final int tableSize;

  /** One immutable state: the nodes and the slots they own. */
  static final class Table<N> {
    final NodeSet<N> nodes;
    final Object[] slots; // empty when there are no nodes

    Table(NodeSet<N> nodes, Object[] slots) {
      this.nodes = nodes;
      this.slots = slots;
    }
  }

  /** Creates an empty Maglev with {@value #DEFAULT_TABLE_SIZE} slots. */
  public Maglev() {
    this(List.of());
  }

  /**
   * Creates a Maglev over {@code nodes} with {@value #DEFAULT_TABLE_SIZE} slots.
   *
   * @throws NullPointerException if {@code nodes} or one of them is null
   * @throws IllegalArgumentException if two distinct nodes share a name, a node has no stable name,
   *     or there are {@value #DEFAULT_TABLE_SIZE} or more nodes
   */
  public Maglev(Collection<N> nodes) {
    this(nodes, DEFAULT_TABLE_SIZE);
  }

  /**
   * Creates a Maglev over {@code nodes} with {@code tableSize} slots.
   *
   * @param tableSize a prime larger than the number of nodes; at least 100 x nodes for balance
   *     within 1%
   * @throws NullPointerException if {@code nodes} or one of them is null
   * @throws IllegalArgumentException if {@code tableSize} is not a prime larger than the number of
   *     nodes, two distinct nodes share a name, or a node has no stable name
   */
  public Maglev(Collection<N> nodes, int tableSize) {
    this(nodes, tableSize, NodeNames::defaultName);
  }

  /**
   * Creates a Maglev over {@code nodes} with {@code tableSize} slots, naming nodes with {@code
   * nodeName}.
   *
   * @throws NullPointerException if an argument or a node is null
   * @throws IllegalArgumentException as {@link #Maglev(Collection, int)}
   */
  public Maglev(Collection<N> nodes, int tableSize, Function<? super N, String> nodeName) {
    this(NodeSet.of(nodes, nodeName), tableSize, nodeName);
  }

  /** Creates a Maglev over a named, weighted node set; see {@link PlacementType#create}. */
  Maglev(NodeSet<N> nodes, int tableSize, Function<? super N, String> nodeName) {
    super(nodeName);
    if (tableSize < 2 || tableSize > MAX_TABLE_SIZE || !isPrime(tableSize)) {
      throw new IllegalArgumentException(
          "tableSize: " + tableSize + " (expected: a prime <= " + MAX_TABLE_SIZE + ")");
    }
    this.tableSize = tableSize;
    initialize(nodes);
  }

  @Override
  @Nullable N ownerIn(Table<N> t, String key) {
    long hash = KeyHash.of(key);
    Object[] slots = t.slots;
    if (slots.length == 0) {
      return null;
    }
    @SuppressWarnings("unchecked") // slots holds only nodes
    N node = (N) slots[slotOf(hash)];
    return node;
  }

  private int slotOf(long hash) {
    return (int) Long.remainderUnsigned(hash, tableSize);
  }

  /**
   * {@inheritDoc} The probe order is the table from the key's slot onward; O(1) while the key's own
   * node is eligible, allocation-free too.
   */
  @Override
  public @Nullable N getNode(String key, Predicate<? super N> eligible) {
    Objects.requireNonNull(eligible, "eligible");
    long hash = KeyHash.of(key);
    Table<N> t = state();
    if (t.slots.length == 0) {
      return null;
    }
    return ProbeOrder.firstEligible(t.slots, slotOf(hash), t.nodes.size(), eligible);
  }

  @Override
  NodeSet<N> nodesOf(Table<N> t) {
    return t.nodes;
  }

  /** Returns the number of slots in the lookup table. */
  public int tableSize() {
    return tableSize;
  }

  @Override
  public String toString() {
    return "Maglev{nodes=" + nodes() + ", tableSize=" + tableSize + "}";
  }

  /**
   * Fills the table for {@code nodes}: Eisenbud et al.'s population, nodes in name order, each
   * claiming in proportion to its weight.
   */
  @Override
  Table<N> build(NodeSet<N> nodes) {
    int n = nodes.size();
    if (n == 0) {
      return new Table<>(nodes, EMPTY);
    }
    if (n >= tableSize) {
      throw new IllegalArgumentException(
          "tableSize: " + tableSize + " (expected: a prime > node count " + n + ")");
    }
    List<String> names = nodes.names();
    int[] position = new int[n];
    int[] skip = new int[n];
    long[] target = new long[n]; // a node claims in round r while r x weight >= target
    int maxWeight = 1;
    for (int i = 0; i < n; i++) {
      position[i] = (int) Long.remainderUnsigned(KeyHash.replica(names.get(i), 0), tableSize);
      skip[i] = (int) Long.remainderUnsigned(KeyHash.replica(names.get(i), 1), tableSize - 1) + 1;
      maxWeight = Math.max(maxWeight, nodes.weight(i));
    }
    int[] owner = new int[tableSize];
    Arrays.fill(owner, -1);
    int filled = 0;
    for (long round = 1; ; round++) {
      for (int i = 0; i < n; i++) {
        if (round * nodes.weight(i) < target[i]) {
          continue;
        }
        target[i] += maxWeight;
        int c = position[i];
        while (owner[c] >= 0) {
          c = next(c, skip[i]);
        }
        owner[c] = i;
        position[i] = next(c, skip[i]);
        if (++filled == tableSize) {
          Object[] slots = new Object[tableSize];
          List<N> list = nodes.nodes();
          for (int s = 0; s < tableSize; s++) {
            slots[s] = list.get(owner[s]);
          }
          return new Table<>(nodes, slots);
        }
      }
    }
  }

  /** The next slot of a permutation: {@code (c + skip) mod tableSize}, without overflow. */
  private int next(int c, int skip) {
    int sum = c + skip; // both below tableSize <= Integer.MAX_VALUE: may overflow only past 2^31
    return sum >= tableSize || sum < 0 ? sum - tableSize : sum;
  }

  static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (int d = 3; (long) d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }
}
