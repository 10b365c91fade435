package dev.lbkit.hashing;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, SODA 2018) over
 * another placement: a key goes to its node unless that node is full, and then to the next node in
 * the base placement's probe order ({@link Placement#getNode(String, Predicate)}) that is not.
 * HAProxy's {@code hash-balance-factor} and Envoy's {@code hash_balance_factor} implement the same
 * paper with other rounding, so their decisions differ from these now and then (see "Compared with
 * HAProxy and Envoy" below).
 *
 * <pre>{@code
 * Map<String, AtomicInteger> inFlight = ...;
 * BoundedLoad<String> bounded =
 *     new BoundedLoad<>(new ConsistentHash<>(caches), 1.25, node -> inFlight.get(node).get());
 * String owner = bounded.getNode("hot-key");   // never a node already at its cap
 * }</pre>
 *
 * <h2>The cap</h2>
 *
 * With {@code T} the total load now (the sum of {@code load} over the counted nodes), {@code W}
 * their total weight and {@code c} the balance factor, a node of weight {@code w} may take one more
 * unit only while its load is below {@code ceil(c x (T + 1) x w / W)}, computed as if {@code c}
 * were the exact decimal it is written as: after the assignment, no node holds more than {@code c}
 * times its share of the load including the new unit, rounded up once, per node. (A node with no
 * load always may: every cap is at least 1.) The caps add up to at least {@code c x (T + 1) > T},
 * so some node is always below its cap (when the loads add up to {@code T}). Lower {@code c}
 * balances tighter and moves more keys off their node. The default is 1.25; HAProxy and Envoy take
 * the factor as a percentage (125) and leave bounded loads off unless it is set.
 *
 * <h2>Compared with HAProxy and Envoy</h2>
 *
 * All three count the units in flight plus the new one ({@code T + 1}) and take the factor {@code
 * c}. They round differently, so they agree on most decisions but not all:
 *
 * <ul>
 *   <li><b>HAProxy</b> ({@code chash_server_is_eligible} in {@code src/lb_chash.c}; the factor an
 *       integer percentage {@code f}) first rounds the total up, {@code S = ceil((T + 1) x f /
 *       100)}, then splits {@code S} among the servers in proportion to their effective weights
 *       with integer division, handing out the remainder by cumulative weight so that the caps add
 *       up to exactly {@code S}; a cap of 0 becomes 1. A server takes the request while its load is
 *       below its cap, as here. Its cap is ours, or one less, or (for a heavier server receiving
 *       more of the remainder) one more.
 *   <li><b>Envoy</b> ({@code hostOverloadFactor} in {@code thread_aware_lb_impl.cc}; the factor an
 *       integer percentage) rounds up twice, {@code slots = max(ceil(ceil((T + 1) x f / 100) x w /
 *       W), 1)} (the second in double arithmetic), and takes the host while {@code load / slots <=
 *       1}, that is while its load is <em>at most</em> the cap: a host may end up holding {@code
 *       slots + 1}. Its limit is one or two units looser than ours.
 * </ul>
 *
 * For example, with {@code c} = 1.25, three nodes of weight 1 and {@code T} = 9: here each node
 * takes a unit while its load is below {@code ceil(12.5 / 3)} = 5; HAProxy splits {@code S} = 13
 * into caps 4, 4 and 5 (the third server in its list gets the remainder); Envoy's slots are {@code
 * ceil(13 / 3)} = 5, and it still takes a host holding 5, which is full here. Their fallbacks
 * differ as well: HAProxy walks its tree clockwise from the point nearest the key (before or after
 * it) and after one full turn takes whatever server it reached; Envoy probes every host in a
 * shuffle seeded by the key's hash and, if none is below its cap, takes the least overloaded; here
 * the base placement's probe order decides, and with every eligible node full, the first eligible
 * node takes the key. The totals differ in scope too: HAProxy's are the backend's served
 * connections and usable servers' weights, Envoy's the cluster's active requests and its hosts'
 * normalized weights; here, the nodes the {@code counted} predicate accepts.
 *
 * <h2>Load</h2>
 *
 * {@code load} reports each node's current load, such as its in-flight requests; it is read, never
 * written. The {@link dev.lbkit.hashing} module does not count anything itself: the caller
 * increments a node's load when it assigns a unit and decrements it when the unit leaves (the
 * {@code LoadBalancer} facade uses its servers' active connections). Loads read while they change
 * may be stale; the cap then holds up to that staleness. If no eligible node is below its cap
 * (stale or inconsistent loads), the key goes to its first eligible node anyway: availability
 * before balance.
 *
 * <h2>Cost</h2>
 *
 * A key whose node has load 0 costs one base lookup and one {@code load} call. Otherwise computing
 * {@code T} reads every node's load: O(n) on top of the base lookup. The eligibility predicate of
 * {@link #getNode(String, Predicate)} is asked about each node at most once, and only about nodes
 * below their cap until every eligible node proves full. Changes go to the base placement;
 * thread-safe as the base is.
 *
 * @param <N> the node type
 */
public final class BoundedLoad<N> implements Placement<N> {

  /** The balance factor when none is given: 1.25. */
  public static final double DEFAULT_BALANCE_FACTOR = 1.25;

  private final Placement<N> base;
  private final double balanceFactor;
  private final ToIntFunction<? super N> load;
  private final Predicate<? super N> counted;
  private volatile Weights<N> weights;

  /** The nodes of one membership of the base with their weights, cached by identity. */
  private static final class Weights<N> {
    final List<N> nodes;
    final int[] weights;

    Weights(Placement<N> base, List<N> nodes) {
      this.nodes = nodes;
      this.weights = new int[nodes.size()];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = base.weight(nodes.get(i));
      }
    }
  }

  /**
   * Bounds {@code base} with the balance factor {@value #DEFAULT_BALANCE_FACTOR}.
   *
   * @throws NullPointerException if an argument is null
   */
  public BoundedLoad(Placement<N> base, ToIntFunction<? super N> load) {
    this(base, DEFAULT_BALANCE_FACTOR, load);
  }

  /**
   * Bounds {@code base}: no node takes a unit of load while it holds {@code balanceFactor} times
   * its share of the total, rounded up.
   *
   * @param balanceFactor greater than 1, finite
   * @param load each node's current load, at least 0
   * @throws NullPointerException if {@code base} or {@code load} is null
   * @throws IllegalArgumentException if {@code balanceFactor} is not a finite number above 1
   */
  public BoundedLoad(Placement<N> base, double balanceFactor, ToIntFunction<? super N> load) {
    this(base, balanceFactor, load, node -> true);
  }

  /**
   * Bounds {@code base}, sharing the load among the nodes {@code counted} accepts only: the total
   * load and weight behind the caps are those of the counted nodes. The {@code LoadBalancer} counts
   * its healthy servers, so that a server that is down does not shrink the others' caps. Nodes not
   * counted can still be returned, if the caller's eligibility allows them.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code balanceFactor} is not a finite number above 1
   */
  public BoundedLoad(
      Placement<N> base,
      double balanceFactor,
      ToIntFunction<? super N> load,
      Predicate<? super N> counted) {
    this.base = Objects.requireNonNull(base, "base");
    this.load = Objects.requireNonNull(load, "load");
    this.counted = Objects.requireNonNull(counted, "counted");
    if (!(balanceFactor > 1) || Double.isInfinite(balanceFactor)) {
      throw new IllegalArgumentException(
          "balanceFactor: " + balanceFactor + " (expected: > 1 and finite)");
    }
    this.balanceFactor = balanceFactor;
    this.weights = new Weights<>(base, base.nodes());
  }

  /** Returns the placement this one bounds. */
  public Placement<N> base() {
    return base;
  }

  /** Returns the balance factor {@code c}. */
  public double balanceFactor() {
    return balanceFactor;
  }

  /**
   * Returns the node for one more unit of {@code key}'s load: its node in the base placement if
   * below its cap, else the next node in the base's probe order that is; null if there are no
   * nodes.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  public @Nullable N getNode(String key) {
    Objects.requireNonNull(key, "key");
    N home = base.getNode(key);
    if (home == null || load.applyAsInt(home) <= 0) {
      return home; // every cap is at least 1: no walk, no allocation
    }
    return pick(key, node -> true, load);
  }

  /**
   * {@inheritDoc} Of the eligible nodes, the first in probe order below its cap; if none is, the
   * first eligible one.
   */
  @Override
  public @Nullable N getNode(String key, Predicate<? super N> eligible) {
    Objects.requireNonNull(eligible, "eligible");
    return pick(key, eligible, load);
  }

  private @Nullable N pick(
      String key, Predicate<? super N> eligible, ToIntFunction<? super N> loads) {
    Objects.requireNonNull(key, "key");
    Probe<N> probe = new Probe<>(this, eligible, loads);
    N node = base.getNode(key, probe);
    if (node == null && probe.skippedFull) {
      probe.fallback = true; // every eligible node is full: availability before balance
      node = base.getNode(key, probe);
    }
    return node;
  }

  /**
   * The predicate a pick hands the base placement: below the cap, then eligible. The cap needs the
   * total load, read only once a node with load is met. {@code eligible} is asked about each node
   * at most once over both passes, since it may have side effects (such as taking a rate-limit
   * token for the node it accepts).
   */
  private static final class Probe<N> implements Predicate<N> {
    final BoundedLoad<N> bounded;
    final Predicate<? super N> eligible;
    final ToIntFunction<? super N> loads;
    long total; // the counted nodes' load and weight, read once a node with load is met
    long totalWeight = -1;
    boolean skippedFull;
    boolean fallback;
    @Nullable Set<Object> asked; // nodes eligible refused, recorded once a node was skipped

    Probe(BoundedLoad<N> bounded, Predicate<? super N> eligible, ToIntFunction<? super N> loads) {
      this.bounded = bounded;
      this.eligible = eligible;
      this.loads = loads;
    }

    @Override
    public boolean test(N node) {
      if (fallback) {
        Set<Object> refused = asked;
        return (refused == null || !refused.contains(node)) && eligible.test(node);
      }
      int load = loads.applyAsInt(node);
      if (load > 0 && load >= cap(node)) {
        skippedFull = true;
        return false;
      }
      if (eligible.test(node)) {
        return true;
      }
      if (asked == null) {
        asked = Collections.newSetFromMap(new IdentityHashMap<>());
      }
      asked.add(node);
      return false;
    }

    private long cap(N node) {
      if (totalWeight < 0) {
        Weights<N> w = bounded.weights();
        long load = 0;
        long weight = 0;
        for (int i = 0; i < w.weights.length; i++) {
          N n = w.nodes.get(i);
          if (bounded.counted.test(n)) {
            load += loads.applyAsInt(n);
            weight += w.weights[i];
          }
        }
        total = load;
        totalWeight = weight;
      }
      return bounded.cap(total, bounded.base.weight(node), totalWeight);
    }
  }

  /**
   * Returns the cap of {@code node} now: the load below which it takes one more unit; 0 if it is
   * absent. O(n).
   */
  public long capacity(N node) {
    return base.weight(node) == 0 ? 0 : new Probe<>(this, n -> true, load).cap(node);
  }

  /**
   * Returns {@code ceil(c x (total + 1) x weight / totalWeight)}, reading {@code c} as the decimal
   * it was written as: in binary floating point 1.1 x 100 / 2 is 55.00000000000001, whose ceiling
   * 56 would let a node past the cap of 55. The computation errs by a few ulps at most, so a
   * product within 8 ulps above a whole number is taken as that number. No cap when no node is
   * counted.
   */
  private long cap(long total, long weight, long totalWeight) {
    if (totalWeight == 0) {
      return Long.MAX_VALUE;
    }
    double x = balanceFactor * (total + 1) * weight / totalWeight;
    return (long) Math.ceil(x - 8 * Math.ulp(x));
  }

  private Weights<N> weights() {
    Weights<N> w = weights;
    List<N> nodes = base.nodes();
    if (w.nodes != nodes) {
      w = new Weights<>(base, nodes);
      weights = w;
    }
    return w;
  }

  /**
   * Assigns {@code keys} one after another, each adding one unit of load to its node on top of the
   * current loads, and counts the keys per node: how the cap spreads a burst. Every node appears,
   * in name order.
   */
  @Override
  public Map<N, Integer> getDistribution(Iterable<String> keys) {
    IdentityHashMap<N, int[]> added = new IdentityHashMap<>();
    ToIntFunction<N> loads =
        node -> {
          int[] a = added.get(node);
          return load.applyAsInt(node) + (a == null ? 0 : a[0]);
        };
    return Distributions.count(
        base.nodes(),
        keys,
        key -> {
          N node = pick(key, n -> true, loads);
          if (node != null) {
            added.computeIfAbsent(node, n -> new int[1])[0]++;
          }
          return node;
        });
  }

  @Override
  public void addNode(N node) {
    base.addNode(node);
  }

  @Override
  public void addNode(N node, int weight) {
    base.addNode(node, weight);
  }

  @Override
  public void removeNode(N node) {
    base.removeNode(node);
  }

  @Override
  public int weight(N node) {
    return base.weight(node);
  }

  @Override
  public List<N> nodes() {
    return base.nodes();
  }

  @Override
  public int size() {
    return base.size();
  }

  @Override
  public String toString() {
    return "BoundedLoad{balanceFactor=" + balanceFactor + ", base=" + base + "}";
  }
}
