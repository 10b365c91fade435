package dev.lbkit.hashing;

import static dev.lbkit.hashing.WeightedPlacements.assertNullRejected;
import static dev.lbkit.hashing.WeightedPlacements.cap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.hashing.WeightedPlacements.ForEachCheapKind;
import dev.lbkit.hashing.WeightedPlacements.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;
import net.jqwik.api.Example;
import net.jqwik.api.Reporter;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Example-based tests of {@link BoundedLoad}: where a key goes below and at its node's cap, the cap
 * itself, {@code getDistribution} as a burst of one-unit assignments, the fallback when no node can
 * take a key, delegation to the base, bad input, and the measured spill at c = 1.10.
 */
class BoundedLoadTest {

  private static final List<String> FIVE = List.of("a", "b", "c", "d", "e");
  private static final List<String> KEYS = Placements.keys("key-", 2000);

  /** Loads a test sets by hand: {@code loads.byNode}; a node not in it has load 0. */
  private final Loads loads = new Loads();

  private final ToIntFunction<String> load = loads;

  /** Loads set by hand, as a load function. */
  static final class Loads implements ToIntFunction<String> {
    final Map<String, Integer> byNode = new HashMap<>();

    @Override
    public int applyAsInt(String node) {
      return byNode.getOrDefault(node, 0);
    }

    void put(String node, int load) {
      byNode.put(node, load);
    }
  }

  @Nested
  class Placing {

    @ForEachCheapKind
    void aKeyWhoseNodeIsBelowItsCapGoesToItsNode(Kind kind) {
      Placement<String> base = kind.create(FIVE);
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.25, load);
      for (String key : KEYS) {
        assertThat(bounded.getNode(key)).as("no load: %s", key).isEqualTo(base.getNode(key));
      }
      FIVE.forEach(node -> loads.put(node, 10)); // T = 50, cap = ceil(1.25 x 51 / 5) = 13
      for (String key : KEYS) {
        assertThat(bounded.getNode(key)).as("even load: %s", key).isEqualTo(base.getNode(key));
      }
    }

    /**
     * One full node: its keys go where the base would send them with that node ineligible, the next
     * node in its probe order; two full nodes: the next after both.
     */
    @ForEachCheapKind
    void aKeyWhoseNodeIsFullGoesToTheNextNodeBelowItsCapInTheProbeOrder(Kind kind) {
      Placement<String> base = kind.create(FIVE);
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.25, load);
      loads.put("a", 10); // T = 10, cap = ceil(1.25 x 11 / 5) = 3: a is full
      for (String key : KEYS) {
        assertThat(bounded.getNode(key))
            .as(key)
            .isEqualTo(base.getNode(key, node -> !node.equals("a")));
      }
      loads.put("b", 10); // T = 20, cap = ceil(1.25 x 21 / 5) = 6: a and b are full
      for (String key : KEYS) {
        assertThat(bounded.getNode(key))
            .as(key)
            .isEqualTo(base.getNode(key, node -> !node.equals("a") && !node.equals("b")));
      }
      loads.put("c", 1); // below the cap: c takes its own keys and those that fall through to it
      for (String key : KEYS) {
        assertThat(bounded.getNode(key)).as(key).isIn("c", "d", "e");
      }
    }

    @Test
    void withEligibleNodesTheKeyGoesToTheFirstEligibleOneBelowItsCap() {
      Placement<String> base = new ConsistentHash<>(FIVE);
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.25, load);
      loads.put("c", 10); // c full
      for (String key : KEYS) {
        assertThat(bounded.getNode(key, node -> !node.equals("a")))
            .as(key)
            .isEqualTo(base.getNode(key, node -> !node.equals("a") && !node.equals("c")));
      }
    }

    /*
     * A main-code bug this test found (fixed in BoundedLoad): getNode(key, eligible) walked the
     * base's probe order twice, once for the first eligible node and once for the first one below
     * its cap, and asked the predicate about every node up to that one twice, against Placement's
     * promise.
     */
    @Test
    void asksThePredicateAtMostOnceAboutEachNode() {
      BoundedLoad<String> bounded = new BoundedLoad<>(new ConsistentHash<>(FIVE), 1.25, load);
      loads.put("a", 10);
      loads.put("b", 10);
      for (String key : KEYS) {
        Map<String, Integer> asked = new HashMap<>();
        bounded.getNode(
            key,
            node -> {
              asked.merge(node, 1, Integer::sum);
              return !node.equals("e");
            });
        assertThat(asked.values()).as("%s: %s", key, asked).allMatch(times -> times == 1);
      }
    }
  }

  @Nested
  class Cap {

    @Test
    void capacityIsCeilOfCTimesTotalPlusOneTimesWeightOverTotalWeight() {
      Map<String, Integer> weights = Map.of("a", 1, "b", 2, "c", 5, "d", 1);
      Placement<String> base = new Rendezvous<>(List.of());
      weights.forEach(base::addNode);
      for (double c : new double[] {1.1, 1.25, 2.0, 3.7}) {
        BoundedLoad<String> bounded = new BoundedLoad<>(base, c, load);
        for (int total : new int[] {0, 1, 8, 9, 99, 1000, 12_345}) {
          loads.put("c", total);
          for (Map.Entry<String, Integer> e : weights.entrySet()) {
            assertThat(bounded.capacity(e.getKey()))
                .as("c = %s, T = %d, %s of weight %d of 9", c, total, e.getKey(), e.getValue())
                .isEqualTo(cap(c, total, e.getValue(), 9));
          }
        }
        assertThat(bounded.capacity("absent")).isZero();
      }
    }

    /*
     * A main-code bug this test found (fixed in BoundedLoad): the cap was computed in binary
     * floating point, where 1.1 x 100 / 2 comes out as 55.00000000000001. With c = 1.1, two nodes
     * and T = 99, the cap is ceil(1.1 x 100 / 2) = 55, but the node holding 55 took a 56th unit:
     * 1.12 times the mean, over the hard cap the class promises.
     */
    @Test
    void theCapIsExactForADecimalBalanceFactor() {
      Placement<String> base = new ConsistentHash<>(List.of("a", "b"));
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.1, load);
      loads.put("a", 55);
      loads.put("b", 44);
      assertThat(bounded.capacity("a")).isEqualTo(55);
      for (String key : KEYS) {
        assertThat(bounded.getNode(key)).as("%s: a is at its cap of 55", key).isEqualTo("b");
      }
    }

    /**
     * The class javadoc's comparison, checked against transcriptions of HAProxy's
     * chash_server_is_eligible and Envoy's hostOverloadFactor: the worked example, and over a grid
     * of loads, weights and factors, HAProxy's cap within one of ours either way and Envoy's limit
     * one or two above ours (it takes a host while its load is at most its slots).
     */
    @Test
    void theCapComparedWithHaproxyAndEnvoyIsAsDocumented() {
      Placement<String> base = new Rendezvous<>(List.of("x", "y", "z"));
      loads.put("x", 9);
      assertThat(new BoundedLoad<>(base, 1.25, load).capacity("y")).isEqualTo(5);
      assertThat(haproxyCaps(125, 9, new int[] {1, 1, 1})).containsExactly(4, 4, 5);
      assertThat(envoySlots(125, 9, 1, 3)).isEqualTo(5); // taken while load <= 5

      Random random = new Random(20_261_206L); // fixed: the grid is arbitrary but reproducible
      Map<Long, Integer> haproxyMinusOurs = new HashMap<>();
      Map<Long, Integer> envoyMinusOurs = new HashMap<>();
      for (int trial = 0; trial < 2000; trial++) {
        int[] weights = new int[2 + random.nextInt(12)];
        long totalWeight = 0;
        for (int i = 0; i < weights.length; i++) {
          weights[i] = 1 + random.nextInt(5);
          totalWeight += weights[i];
        }
        int percent = List.of(110, 125, 150, 200).get(random.nextInt(4));
        int total = random.nextInt(400);
        long[] haproxy = haproxyCaps(percent, total, weights);
        for (int i = 0; i < weights.length; i++) {
          long ours = cap(percent / 100.0, total, weights[i], totalWeight);
          haproxyMinusOurs.merge(haproxy[i] - ours, 1, Integer::sum);
          long envoyLimit = envoySlots(percent, total, weights[i], totalWeight) + 1;
          envoyMinusOurs.merge(envoyLimit - ours, 1, Integer::sum);
        }
      }
      assertThat(haproxyMinusOurs.keySet()).isSubsetOf(-1L, 0L, 1L).contains(-1L, 0L);
      assertThat(envoyMinusOurs.keySet()).isSubsetOf(1L, 2L).contains(1L);
    }

    /** HAProxy's caps (src/lb_chash.c), servers in list order: taken while served < cap. */
    private long[] haproxyCaps(int percent, long total, int[] weights) {
      long totalWeight = Arrays.stream(weights).sum();
      long slots = ((total + 1) * percent + 99) / 100;
      long perWeight = slots / totalWeight;
      long remainder = slots % totalWeight;
      long[] caps = new long[weights.length];
      long cumulative = 0;
      for (int i = 0; i < weights.length; i++) {
        long cap = weights[i] * perWeight;
        cap +=
            (cumulative + weights[i]) * remainder / totalWeight
                - cumulative * remainder / totalWeight;
        caps[i] = Math.max(cap, 1);
        cumulative += weights[i];
      }
      return caps;
    }

    /** Envoy's slots (thread_aware_lb_impl.cc): taken while active / slots <= 1. */
    private long envoySlots(int percent, long total, long weight, long totalWeight) {
      long slots = ((total + 1) * percent + 99) / 100;
      return Math.max((long) Math.ceil(slots * ((double) weight / totalWeight)), 1);
    }

    @Test
    void everyCapIsAtLeastOneSoAnIdleNodeTakesItsKeys() {
      Placement<String> base = new ConsistentHash<>(FIVE);
      base.addNode("heavy", Placement.MAX_WEIGHT);
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.0001, load);
      loads.put("heavy", 10_000); // T = 10,000: a light node's share is 0.9997 units, its cap 1
      assertThat(bounded.capacity("a")).isEqualTo(1);
      for (String key : KEYS) {
        String node = base.getNode(key);
        if (!"heavy".equals(node)) {
          assertThat(bounded.getNode(key)).as(key).isEqualTo(node);
        }
      }
    }
  }

  @Nested
  class Fallback {

    /** Availability before balance: when no eligible node is below its cap, the first takes it. */
    @Test
    void whenNoEligibleNodeIsBelowItsCapTheFirstEligibleOneTakesTheKey() {
      Placement<String> base = new Maglev<>(FIVE, 1009);
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.25, load);
      loads.put("a", 100);
      loads.put("b", 100);
      for (String key : KEYS) {
        assertThat(bounded.getNode(key, node -> node.equals("a") || node.equals("b")))
            .as(key)
            .isEqualTo(base.getNode(key, node -> node.equals("a") || node.equals("b")));
      }
      assertThat(bounded.getNode("k", node -> false)).isNull();
    }

    /** Loads that cannot be (a caller that released twice) still place every key. */
    @Test
    void negativeLoadsStillPlaceEveryKeyAndNeverOverflow() {
      Placement<String> base = new ConsistentHash<>(FIVE);
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.25, load);
      FIVE.forEach(node -> loads.put(node, -7));
      for (String key : KEYS) {
        assertThat(bounded.getNode(key)).as(key).isEqualTo(base.getNode(key));
      }
      loads.put("a", 100); // T = 72: a is full, the others below any cap
      for (String key : KEYS) {
        assertThat(bounded.getNode(key))
            .as(key)
            .isEqualTo(base.getNode(key, node -> !node.equals("a")));
      }
      BoundedLoad<String> huge = new BoundedLoad<>(base, 1.25, node -> Integer.MAX_VALUE);
      for (String key : KEYS) { // T = 5 x (2^31 - 1) needs a long; every node below its cap
        assertThat(huge.getNode(key)).as(key).isEqualTo(base.getNode(key));
      }
    }
  }

  @Nested
  class Distribution {

    /**
     * getDistribution assigns the keys one after another, each adding one unit on top of the
     * current loads: the same counts as doing it by hand with getNode, and the live loads are only
     * read.
     */
    @ForEachCheapKind
    void assignsTheKeysOneAfterAnotherOnTopOfTheCurrentLoads(Kind kind) {
      Placement<String> base = kind.create(FIVE);
      base.addNode("f", 3);
      loads.put("b", 40);
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.25, load);
      Map<String, Integer> byHand = assignOneByOne(bounded, KEYS, loads.byNode);

      loads.byNode.clear();
      loads.put("b", 40);
      Map<String, Integer> dist = bounded.getDistribution(KEYS);
      assertThat(dist).isEqualTo(byHand);
      assertThat(new ArrayList<>(dist.keySet())).containsExactly("a", "b", "c", "d", "e", "f");
      assertThat(loads.byNode).containsExactly(Map.entry("b", 40));
      assertThat(new BoundedLoad<>(kind.create(List.<String>of()), load).getDistribution(KEYS))
          .isEmpty();
    }

    @Test
    void noNodeEndsAboveItsCapForTheWholeBurst() {
      Map<String, Integer> weights = new LinkedHashMap<>();
      for (int i = 0; i < 20; i++) {
        weights.put("node-" + i, 1 + i % 4);
      }
      List<String> keys = Placements.keys("burst-", 20_000);
      for (double c : new double[] {1.1, 1.25, 2.0}) {
        for (Kind kind : Kind.CHEAP) {
          Map<String, Integer> dist =
              new BoundedLoad<>(kind.build(weights), c, node -> 0).getDistribution(keys);
          for (Map.Entry<String, Integer> e : dist.entrySet()) {
            assertThat((long) e.getValue())
                .as("%s, c = %s, %s", kind, c, e.getKey())
                .isLessThanOrEqualTo(cap(c, keys.size() - 1, weights.get(e.getKey()), 50));
          }
        }
      }
    }
  }

  /** Assigns {@code keys} one by one with getNode, counting each on {@code current}. */
  static Map<String, Integer> assignOneByOne(
      BoundedLoad<String> bounded, List<String> keys, Map<String, Integer> current) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    bounded.nodes().forEach(node -> counts.put(node, 0));
    for (String key : keys) {
      String node = bounded.getNode(key);
      counts.merge(node, 1, Integer::sum);
      current.merge(node, 1, Integer::sum);
    }
    return counts;
  }

  /*
   * The measured spill at c = 1.10, 100 nodes: the share of keys that do not go to their base
   * node. A burst (10^5 keys assigned one after another from no load, which is getDistribution)
   * and a steady state (10,000 units in flight, 100 per node; each arrival follows a random
   * departure; 20,000 arrivals measured). The simulated figure, 0.3-0.5%, is for a
   * dynamic case; both depend on the load per node (at 100 per node a node's Poisson spread, 10%,
   * is the whole slack). Bounds: the burst's max/mean is the cap's; spill only against a
   * regression by an order of magnitude.
   */
  @Example
  void reportSpillAtBalanceFactorOnePointOne(Reporter reporter) {
    List<String> nodes = Placements.keys("node-", 100);
    List<String> keys = Placements.keys("spill-", 100_000);
    for (Kind kind : Kind.DEFAULTS) {
      Placement<String> base = kind.create(nodes);
      Map<String, Integer> burst = new HashMap<>();
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 1.1, n -> burst.getOrDefault(n, 0));
      int spilled = 0;
      for (String key : keys) {
        String node = bounded.getNode(key);
        if (!node.equals(base.getNode(key))) {
          spilled++;
        }
        burst.merge(node, 1, Integer::sum);
      }
      double maxOverMean = Collections.max(burst.values()) / 1000.0;
      assertThat(maxOverMean).isLessThanOrEqualTo(1.1);
      double burstSpill = spilled / (double) keys.size();
      double steadySpill = steadyStateSpill(base, 1.1, 10_000, 20_000);
      assertThat(burstSpill).isLessThan(0.2);
      assertThat(steadySpill).isLessThan(0.5);
      reporter.publishValue(
          "bounded load c=1.10, 100 nodes, " + kind,
          String.format(
              "burst of 100,000 keys: spill %.2f%%, max/mean %.3f; steady state, 100 per node:"
                  + " spill %.2f%%",
              100 * burstSpill, maxOverMean, 100 * steadySpill));
    }
  }

  /**
   * Spill in a steady state: {@code population} units in flight, then {@code arrivals} times a
   * random unit leaves and a new key arrives; the share of arrivals not placed on their base node.
   */
  static double steadyStateSpill(Placement<String> base, double c, int population, int arrivals) {
    Map<String, Integer> inFlight = new HashMap<>();
    BoundedLoad<String> bounded = new BoundedLoad<>(base, c, n -> inFlight.getOrDefault(n, 0));
    Random random = new Random(7); // fixed: a reproducible figure
    List<String> units = new ArrayList<>();
    int spilled = 0;
    for (int i = 0; i < population + arrivals; i++) {
      if (units.size() == population) {
        int gone = random.nextInt(population);
        inFlight.merge(units.get(gone), -1, Integer::sum);
        units.set(gone, units.get(population - 1));
        units.remove(population - 1);
      }
      String key = "arrival-" + i;
      String node = bounded.getNode(key);
      if (i >= population && !node.equals(base.getNode(key))) {
        spilled++;
      }
      inFlight.merge(node, 1, Integer::sum);
      units.add(node);
    }
    return spilled / (double) arrivals;
  }

  @Nested
  class Delegation {

    @Test
    void membershipAndWeightsAreTheBasePlacements() {
      Placement<String> base = new Rendezvous<>(List.of("a", "b"));
      BoundedLoad<String> bounded = new BoundedLoad<>(base, load);
      assertThat(bounded.base()).isSameAs(base);
      assertThat(bounded.balanceFactor()).isEqualTo(BoundedLoad.DEFAULT_BALANCE_FACTOR);
      bounded.addNode("c");
      bounded.addNode("d", 4);
      bounded.removeNode("a");
      assertThat(base.nodes()).containsExactly("b", "c", "d");
      assertThat(bounded.nodes()).containsExactly("b", "c", "d");
      assertThat(bounded.size()).isEqualTo(3);
      assertThat(base.weight("d")).isEqualTo(4);
      assertThat(bounded.weight("d")).isEqualTo(4);
      assertThat(bounded.toString())
          .isEqualTo("BoundedLoad{balanceFactor=1.25, base=Rendezvous{nodes=[b, c, d]}}");
    }

    /** The cached total weight follows membership and weight changes made through the base. */
    @Test
    void capsFollowChangesMadeThroughTheBase() {
      Placement<String> base = new ConsistentHash<>(List.of("a", "b"));
      BoundedLoad<String> bounded = new BoundedLoad<>(base, 2.0, load);
      loads.put("a", 9); // T = 9: cap = ceil(2 x 10 x 1/2) = 10
      assertThat(bounded.capacity("a")).isEqualTo(10);
      base.addNode("b", 3); // W = 4: cap = ceil(2 x 10 x 1/4) = 5
      assertThat(bounded.capacity("a")).isEqualTo(5);
      base.addNode("c", 4); // W = 8: cap = ceil(2 x 10 x 1/8) = 3
      assertThat(bounded.capacity("a")).isEqualTo(3);
      assertThat(bounded.capacity("c")).isEqualTo(10);
    }
  }

  @Nested
  @SuppressWarnings("NullAway") // passes null where the API forbids it, on purpose
  class BadInput {

    private final Placement<String> base = new ConsistentHash<>(FIVE);

    @Test
    void aBalanceFactorNotAboveOneOrNotFiniteIsRejectedWithItsValue() {
      for (double bad :
          new double[] {
            1.0, 0.99, 0, -1.25, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
          }) {
        assertThatThrownBy(() -> new BoundedLoad<>(base, bad, load))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("balanceFactor: " + bad + " (expected: > 1 and finite)");
      }
      assertThat(new BoundedLoad<>(base, Math.nextUp(1.0), load).balanceFactor())
          .isEqualTo(Math.nextUp(1.0));
      assertThat(new BoundedLoad<>(base, Double.MAX_VALUE, load).balanceFactor())
          .isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void nullArgumentsAreRejectedByName() {
      BoundedLoad<String> bounded = new BoundedLoad<>(base, load);
      assertNullRejected(() -> new BoundedLoad<String>(null, load), "base");
      assertNullRejected(() -> new BoundedLoad<>(base, 1.5, null), "load");
      assertNullRejected(() -> new BoundedLoad<>(base, null), "load");
      assertNullRejected(() -> bounded.getNode(null), "key");
      assertNullRejected(() -> bounded.getNode(null, node -> true), "key");
      assertNullRejected(() -> bounded.getNode("k", null), "eligible");
      assertNullRejected(() -> bounded.addNode(null), "node");
      assertNullRejected(() -> bounded.addNode(null, 2), "node");
      assertNullRejected(() -> bounded.removeNode(null), "node");
      assertNullRejected(() -> bounded.weight(null), "node");
      assertNullRejected(() -> bounded.capacity(null), "node");
      assertNullRejected(() -> bounded.getDistribution(null), "keys");
      assertNullRejected(() -> bounded.getDistribution(Arrays.asList("k", null)), "key");
    }

    @Test
    void aWeightOutOfRangeIsRejectedByTheBase() {
      BoundedLoad<String> bounded = new BoundedLoad<>(base, load);
      assertThatThrownBy(() -> bounded.addNode("f", 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("weight: 0 (expected: 1..10000)");
      assertThat(bounded.nodes()).isEqualTo(FIVE);
    }
  }
}
