package dev.lbkit.hashing;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
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
 * <h2>Choosing the table size</h2>
 *
 * Balance is within 1% when the table has at least 100 x nodes slots: the default 65,537 suits up
 * to about 650 nodes; pass a larger prime for more. The price of Maglev's balance is disruption:
 * when a node leaves, its keys move and so do a few others (about 0.2-0.6% of all keys, more with
 * more nodes), where a ring moves only the leaving node's keys.
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
public final class Maglev<N> implements Placement<N> {

  /** The table size when none is given: 65,537, a prime. */
  public static final int DEFAULT_TABLE_SIZE = 65_537;

  /** The largest table accepted: 2^26 slots (256 to 512 MiB of node references). */
  public static final int MAX_TABLE_SIZE = 1 << 26;

  private static final Object[] EMPTY = new Object[0];

  private final int tableSize;
  private final Function<? super N, String> nodeName;
  private final Object writeLock = new Object();
  private volatile Table<N> table;

  /** One immutable state: the nodes and the slots they own. */
  private static final class Table<N> {
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
    if (tableSize < 2 || tableSize > MAX_TABLE_SIZE || !isPrime(tableSize)) {
      throw new IllegalArgumentException(
          "tableSize: " + tableSize + " (expected: a prime <= " + MAX_TABLE_SIZE + ")");
    }
    this.tableSize = tableSize;
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.table = build(NodeSet.of(nodes, nodeName));
  }

  @Override
  public @Nullable N getNode(String key) {
    return ownerIn(table, key);
  }

  private @Nullable N ownerIn(Table<N> t, String key) {
    long hash = KeyHash.of(key);
    Object[] slots = t.slots;
    if (slots.length == 0) {
      return null;
    }
    @SuppressWarnings("unchecked") // slots holds only nodes
    N node = (N) slots[(int) Long.remainderUnsigned(hash, tableSize)];
    return node;
  }

  @Override
  public Map<N, Integer> getDistribution(Iterable<String> keys) {
    Table<N> t = table;
    return Distributions.count(t.nodes.nodes(), keys, key -> ownerIn(t, key));
  }

  /**
   * {@inheritDoc} Rebuilds the table.
   *
   * @throws IllegalArgumentException also if the table has no room for another node
   */
  @Override
  public void addNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      NodeSet<N> next = table.nodes.with(node, name);
      if (next != table.nodes) {
        table = build(next);
      }
    }
  }

  /** {@inheritDoc} Rebuilds the table. */
  @Override
  public void removeNode(N node) {
    Objects.requireNonNull(node, "node");
    String name = NodeNames.nameOf(nodeName, node);
    synchronized (writeLock) {
      NodeSet<N> next = table.nodes.without(name);
      if (next != table.nodes) {
        table = build(next);
      }
    }
  }

  @Override
  public List<N> nodes() {
    return table.nodes.nodes();
  }

  @Override
  public int size() {
    return table.nodes.size();
  }

  /** Returns the number of slots in the lookup table. */
  public int tableSize() {
    return tableSize;
  }

  @Override
  public String toString() {
    return "Maglev{nodes=" + nodes() + ", tableSize=" + tableSize + "}";
  }

  /** Fills the table for {@code nodes}: Eisenbud et al.'s population, nodes in name order. */
  private Table<N> build(NodeSet<N> nodes) {
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
    for (int i = 0; i < n; i++) {
      position[i] = (int) Long.remainderUnsigned(KeyHash.replica(names.get(i), 0), tableSize);
      skip[i] = (int) Long.remainderUnsigned(KeyHash.replica(names.get(i), 1), tableSize - 1) + 1;
    }
    int[] owner = new int[tableSize];
    Arrays.fill(owner, -1);
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
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
