package dev.lbkit.hashing;

import static dev.lbkit.hashing.Placements.placement;
import static dev.lbkit.hashing.Placements.table;
import static dev.lbkit.hashing.WeightedPlacements.addAll;
import static dev.lbkit.hashing.WeightedPlacements.shuffled;
import static dev.lbkit.hashing.WeightedPlacements.totalWeight;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.WeightedPlacements.CheapKinds;
import dev.lbkit.hashing.WeightedPlacements.Kind;
import dev.lbkit.hashing.WeightedPlacements.SmallWeightedSets;
import dev.lbkit.hashing.WeightedPlacements.WeightedSets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Reporter;
import net.jqwik.api.constraints.IntRange;

/**
 * Weights on the ring, Maglev and Rendezvous, over weighted node sets drawn by jqwik: shares within
 * tolerances derived from each construction, weight 1 as the unweighted placement, weight changes
 * that move keys only onto or off the changed node (Maglev: with bounded collateral), independence
 * of insertion order and history, and {@link Placement#weight}. Every tolerance below says what
 * error rate it was derived from; none was tuned until green.
 */
class WeightedPlacementProperties {

  private static final List<String> KEYS_50K = Placements.keys("key-", 50_000);
  private static final List<String> KEYS_2K = KEYS_50K.subList(0, 2000);

  /** A small prime table, for properties that compare whole tables or rebuild often. */
  private static final int SMALL_TABLE = 1009;

  /** A weighted set of 5 to 30 nodes and a new weight, 1 to 8, for one of its nodes. */
  record WeightChange(Map<String, Integer> before, String node, int newWeight) {
    int oldWeight() {
      return before.get(node);
    }

    Map<String, Integer> after() {
      Map<String, Integer> after = new LinkedHashMap<>(before);
      after.put(node, newWeight);
      return after;
    }
  }

  @Provide
  Arbitrary<WeightChange> weightChanges() {
    return new WeightedSets()
        .get()
        .flatMap(
            weights ->
                Combinators.combine(
                        Arbitraries.of(List.copyOf(weights.keySet())),
                        Arbitraries.integers().between(1, 8))
                    .as((node, weight) -> new WeightChange(weights, node, weight)));
  }

  @Provide
  Arbitrary<Integer> tableSizes() {
    return Arbitraries.of(1009, 4099, 10_007, 65_537);
  }

  // ---------------------------------------------------------------------------------------------
  // Shares

  /*
   * Rendezvous. With the logarithmic method a node's chance of the highest score is exactly w/W, so
   * its count of K keys is Binomial(K, w/W). Bound: 6 sigma, two-sided probability 2.0e-9 per
   * count; 15 tries x at most 30 nodes = 450 counts fail a correct placement about once in a
   * million runs. Weights ignored would give a weight-5 node 1/n of the keys instead of 5/W (W
   * about 3n): 40% below its mean, tens of sigma.
   */
  @Property(tries = 15)
  void rendezvousGivesEachNodeWeightOverTotalWeightOfTheKeys(
      @ForAll(supplier = WeightedSets.class) Map<String, Integer> weights) {
    Map<String, Integer> counts = Kind.RENDEZVOUS.build(weights).getDistribution(KEYS_50K);
    assertSharesWithin(weights, counts, 6, 0);
  }

  /*
   * The ring. A node of weight w owns w x V of the P = W x V points, and its share of the circle is
   * the sum of the w x V arcs that end at its points: Beta(wV, P - wV), variance p(1 - p)/(P + 1)
   * with p = w/W (relative sd about 1/sqrt(wV): 8.2% at w = 1, V = 150). The count of K keys adds
   * binomial noise, K p(1 - p). Bound: 7 sigma of the sum. The Beta(150, ...) is skewed (about
   * 2/sqrt(150) = 0.16), and by the Wilson-Hilferty approximation its 7-sigma upper tail is as
   * likely as a normal 6-sigma one: about 1e-9 per count, 600 counts per run.
   */
  @Property(tries = 20)
  void ringGivesEachNodeAShareInProportionToItsWeight(
      @ForAll(supplier = WeightedSets.class) Map<String, Integer> weights) {
    Map<String, Integer> counts = Kind.RING.build(weights).getDistribution(KEYS_50K);
    long points = totalWeight(weights) * ConsistentHash.DEFAULT_VIRTUAL_NODES;
    assertSharesWithin(weights, counts, 7, points);
  }

  /*
   * Maglev, in two steps. Slots: Envoy's weighted population gives a node of weight w, after R full
   * rounds, floor(R w / maxW) + 1 slots (R if w = maxW), plus one in the unfinished round. So
   * slots = R w / maxW + d with d in [0, 2], and since the slots add up to M,
   * slots - M w/W = d - (w/W) x sum(d) lies in [-2n w/W, 2]: exact, no statistics. Keys: a key's
   * slot is uniform, so a node's count of K keys is Binomial(K, slots/M): 6 sigma as above.
   */
  @Property(tries = 20)
  void maglevGivesEachNodeSlotsInProportionToItsWeightWithinTheRoundingOfARound(
      @ForAll(supplier = WeightedSets.class) Map<String, Integer> weights,
      @ForAll("tableSizes") int tableSize,
      @ForAll Random random) {
    Maglev<String> maglev =
        addAll(new Maglev<>(List.of(), tableSize), weights, shuffled(weights.keySet(), random));
    Map<String, Integer> slots = Placements.slotCounts(maglev);
    assertSlotsProportional(weights, slots, tableSize);

    Map<String, Integer> counts = maglev.getDistribution(KEYS_50K);
    int k = KEYS_50K.size();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      double p = slots.get(e.getKey()) / (double) tableSize;
      double tolerance = 6 * Math.sqrt(k * p * (1 - p));
      assertThat(Math.abs(e.getValue() - k * p))
          .as(
              "%s, %d of %d slots, owns %d keys; allowed +-%.0f",
              e.getKey(), slots.get(e.getKey()), tableSize, e.getValue(), tolerance)
          .isLessThanOrEqualTo(tolerance);
    }
  }

  /** The same bound at the extremes: weights 1 and {@link Placement#MAX_WEIGHT} side by side. */
  @Example
  void maglevSlotsFollowWeightsFromOneToMaxWeight() {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("light", 1);
    weights.put("heavy", Placement.MAX_WEIGHT);
    weights.put("middle", 100);
    weights.put("also-light", 1);
    for (int tableSize : new int[] {1009, 65_537}) {
      Maglev<String> maglev =
          addAll(new Maglev<>(List.of(), tableSize), weights, List.copyOf(weights.keySet()));
      assertSlotsProportional(weights, Placements.slotCounts(maglev), tableSize);
    }
  }

  private static void assertSlotsProportional(
      Map<String, Integer> weights, Map<String, Integer> slots, int tableSize) {
    long total = totalWeight(weights);
    int n = weights.size();
    assertThat(slots.keySet()).containsExactlyInAnyOrderElementsOf(weights.keySet());
    for (Map.Entry<String, Integer> e : slots.entrySet()) {
      double share = weights.get(e.getKey()) / (double) total;
      double ideal = tableSize * share;
      assertThat((double) e.getValue())
          .as(
              "slots of %s (weight %d of %d) in %d",
              e.getKey(), weights.get(e.getKey()), total, tableSize)
          .isBetween(ideal - 2 * n * share - 1e-9, ideal + 2 + 1e-9);
    }
  }

  /**
   * Asserts that each node's count of {@link #KEYS_50K} is within {@code sigmas} standard
   * deviations of {@code K w/W}: binomial noise, plus the Beta variance of a ring's arcs when
   * {@code ringPoints} (the ring's total points) is not 0.
   */
  private static void assertSharesWithin(
      Map<String, Integer> weights, Map<String, Integer> counts, double sigmas, long ringPoints) {
    long total = totalWeight(weights);
    double k = KEYS_50K.size();
    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(weights.keySet());
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      double p = weights.get(e.getKey()) / (double) total;
      double variance = k * p * (1 - p);
      if (ringPoints > 0) {
        variance += k * k * p * (1 - p) / (ringPoints + 1);
      }
      double tolerance = sigmas * Math.sqrt(variance);
      assertThat(Math.abs(e.getValue() - k * p))
          .as(
              "%s (weight %d of %d) owns %d keys, expected %.0f +- %.0f",
              e.getKey(), weights.get(e.getKey()), total, e.getValue(), k * p, tolerance)
          .isLessThanOrEqualTo(tolerance);
    }
  }

  /**
   * The measured shares of one fixed set: 50 nodes of weights 1 to 5 (10 of each), 100,000 keys.
   * Prints, per placement, the share of each weight class over its ideal and the worst single node.
   * A class's share averages 10 nodes: for the ring its relative sd is about 8.2% / sqrt(10 w), at
   * most 2.6%, for Maglev and Rendezvous about 1%, so the bound of 10% is 4 sigma or more (and the
   * set is fixed: the check is deterministic).
   */
  @Example
  void reportWeightedShares(Reporter reporter) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      weights.put("node-" + i, 1 + i % 5);
    }
    List<String> keys = Placements.keys("share-", 100_000);
    long total = totalWeight(weights);
    for (Kind kind : Kind.DEFAULTS) {
      Map<String, Integer> counts = kind.build(weights).getDistribution(keys);
      double[] byWeight = new double[6];
      double worst = 0;
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        int w = weights.get(e.getKey());
        double ideal = keys.size() * (double) w / total;
        byWeight[w] += e.getValue() / (ideal * 10);
        worst = Math.max(worst, Math.abs(e.getValue() / ideal - 1));
      }
      StringBuilder classes = new StringBuilder();
      for (int w = 1; w <= 5; w++) {
        classes.append(String.format(" w%d=%.3f", w, byWeight[w]));
        assertThat(byWeight[w]).as("%s, weight class %d", kind, w).isBetween(0.9, 1.1);
      }
      reporter.publishValue(
          "weighted shares " + kind,
          String.format(
              "50 nodes, weights 1..5, 100,000 keys: class share/ideal%s; worst node %.1f%% off",
              classes, 100 * worst));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Weight 1, uniform weights

  /**
   * A node added with weight 1 is a node added without a weight: the same answer for every key as
   * the unweighted placement and as the from-scratch models (whole tables for Maglev).
   */
  @Property(tries = 30)
  void weightOneEverywhereIsTheUnweightedPlacement(
      @ForAll(supplier = SmallWeightedSets.class) Map<String, Integer> drawn,
      @ForAll Random random) {
    Map<String, Integer> ones = WeightedPlacements.uniform(drawn.keySet(), 1);
    List<String> order = shuffled(drawn.keySet(), random);
    for (Kind kind : List.of(Kind.RING, Kind.RENDEZVOUS)) {
      assertThat(placement(kind.build(ones, order), KEYS_2K))
          .as("%s, weight 1 added in order %s", kind, order)
          .isEqualTo(placement(kind.create(drawn.keySet()), KEYS_2K));
    }
    ReferenceRing ring = new ReferenceRing(drawn.keySet(), ConsistentHash.DEFAULT_VIRTUAL_NODES);
    ReferenceRendezvous hrw = new ReferenceRendezvous(drawn.keySet());
    Placement<String> weightedRing = Kind.RING.build(ones, order);
    Placement<String> weightedHrw = Kind.RENDEZVOUS.build(ones, order);
    for (String key : KEYS_2K.subList(0, 200)) {
      assertThat(weightedRing.getNode(key)).as(key).isEqualTo(ring.owner(key));
      assertThat(weightedHrw.getNode(key)).as(key).isEqualTo(hrw.owner(key));
    }
    Maglev<String> maglev = addAll(new Maglev<>(List.of(), SMALL_TABLE), ones, order);
    assertThat(table(maglev)).isEqualTo(new ReferenceMaglev(drawn.keySet(), SMALL_TABLE).table());
  }

  /**
   * Only weight ratios matter to Maglev and Rendezvous: every node at weight {@code w} is the
   * unweighted placement, key for key. (Not so for the ring, where weight {@code w} means {@code w
   * x virtualNodes} points: other points, other arcs.)
   */
  @Property(tries = 20)
  void maglevAndRendezvousWithEqualWeightsAreTheUnweightedPlacement(
      @ForAll(supplier = SmallWeightedSets.class) Map<String, Integer> drawn,
      @ForAll @IntRange(min = 2, max = Placement.MAX_WEIGHT) int weight) {
    Map<String, Integer> same = WeightedPlacements.uniform(drawn.keySet(), weight);
    List<String> order = List.copyOf(drawn.keySet());
    assertThat(table(addAll(new Maglev<>(List.of(), SMALL_TABLE), same, order)))
        .isEqualTo(table(new Maglev<>(drawn.keySet(), SMALL_TABLE)));
    assertThat(placement(Kind.RENDEZVOUS.build(same), KEYS_2K))
        .isEqualTo(placement(Kind.RENDEZVOUS.create(drawn.keySet()), KEYS_2K));
  }

  // ---------------------------------------------------------------------------------------------
  // Weight changes

  /**
   * Ring and Rendezvous: raising a node's weight moves keys only onto it, lowering it only off it,
   * exactly (a ring node's points are a prefix of one sequence of replicas; a rendezvous score is
   * the weight times a per-key constant). After the change the placement is a fresh build's.
   */
  @Property(tries = 30)
  void ringAndRendezvousWeightChangesMoveKeysOnlyOntoOrOffTheNode(
      @ForAll("weightChanges") WeightChange change) {
    Map<String, Integer> weights = change.before();
    String node = change.node();
    int oldWeight = change.oldWeight();
    int newWeight = change.newWeight();
    for (Kind kind : List.of(Kind.RING, Kind.RENDEZVOUS)) {
      Placement<String> placement = kind.build(weights);
      List<String> before = placement(placement, KEYS_2K);
      placement.addNode(node, newWeight);
      List<String> now = placement(placement, KEYS_2K);
      for (int k = 0; k < KEYS_2K.size(); k++) {
        if (!before.get(k).equals(now.get(k))) {
          assertThat(newWeight > oldWeight ? now.get(k) : before.get(k))
              .as(
                  "%s: %s moved %s -> %s when %s went from weight %d to %d",
                  kind, KEYS_2K.get(k), before.get(k), now.get(k), node, oldWeight, newWeight)
              .isEqualTo(node);
        }
      }
      assertThat(placement.weight(node)).isEqualTo(newWeight);
      assertThat(now).isEqualTo(placement(kind.build(change.after()), KEYS_2K));
    }
  }

  /*
   * Maglev: a weight change reruns the population, so a few slots change hands between other
   * nodes (collateral), as when a node is removed. Measured over random 10-node sets with weights
   * 1..5: about 0.1-0.3% of the table, at most 0.4% (0.4-0.7% with 100 nodes); a table rebuilt
   * from other permutations or another fill order would move about 90%. Bound: 3% of the table,
   * for nodes whose permutations step apart (Placements.maglevStepsApart; with up to 30 random
   * names about 1 set in 75 has not, and then a change can move up to about 25%). The changed node itself gains slots when raised and loses them when lowered.
   */
  @Property(tries = 10)
  void maglevWeightChangesMoveFewSlotsBetweenOtherNodes(
      @ForAll("weightChanges") WeightChange change) {
    Assume.that(Placements.maglevStepsApart(change.before().keySet(), Maglev.DEFAULT_TABLE_SIZE));
    String node = change.node();
    int oldWeight = change.oldWeight();
    int newWeight = change.newWeight();
    Maglev<String> maglev =
        addAll(new Maglev<String>(), change.before(), List.copyOf(change.before().keySet()));
    List<String> before = table(maglev);
    maglev.addNode(node, newWeight);
    List<String> after = table(maglev);

    MaglevWeightChange moved = MaglevWeightChange.of(before, after, node);
    assertThat(moved.collateral() / (double) before.size())
        .as(
            "%s: share of slots that moved between other nodes, %s %d -> %d",
            moved, node, oldWeight, newWeight)
        .isLessThan(0.03);
    if (newWeight > oldWeight) {
      assertThat(moved.onto()).isGreaterThan(moved.off());
    } else if (newWeight < oldWeight) {
      assertThat(moved.off()).isGreaterThan(moved.onto());
    } else {
      assertThat(after).isEqualTo(before);
    }
  }

  /** Slots that moved onto the changed node, off it, and between two other nodes. */
  record MaglevWeightChange(int onto, int off, int collateral) {
    static MaglevWeightChange of(List<String> before, List<String> after, String node) {
      int onto = 0;
      int off = 0;
      int collateral = 0;
      for (int s = 0; s < before.size(); s++) {
        String was = before.get(s);
        String is = after.get(s);
        if (was.equals(is)) {
          continue;
        }
        if (is.equals(node)) {
          onto++;
        } else if (was.equals(node)) {
          off++;
        } else {
          collateral++;
        }
      }
      return new MaglevWeightChange(onto, off, collateral);
    }
  }

  /** Prints the Maglev collateral of raising and lowering one weight, at 10 and 100 nodes. */
  @Example
  void reportMaglevWeightChangeCollateral(Reporter reporter) {
    Random random = new Random(88); // fixed: a reproducible report
    for (int n : new int[] {10, 100}) {
      Map<String, Integer> weights = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        weights.put("node-" + i, 1 + random.nextInt(5));
      }
      Maglev<String> maglev = addAll(new Maglev<String>(), weights, List.copyOf(weights.keySet()));
      StringBuilder line = new StringBuilder();
      double worst = 0;
      // raise node-0 by 3, lower node-1 to 1 (or raise it to 5 if it weighs 1), raise node-2 by 1
      int[][] changes = {
        {0, weights.get("node-0") + 3},
        {1, weights.get("node-1") == 1 ? 5 : 1},
        {2, weights.get("node-2") + 1}
      };
      for (int[] c : changes) {
        String node = "node-" + c[0];
        int from = weights.get(node);
        List<String> before = table(maglev);
        maglev.addNode(node, c[1]);
        MaglevWeightChange change = MaglevWeightChange.of(before, table(maglev), node);
        double share = change.collateral() / (double) before.size();
        worst = Math.max(worst, share);
        line.append(
            String.format(
                " [%d->%d: onto %d, off %d, collateral %d = %.2f%%]",
                from, c[1], change.onto(), change.off(), change.collateral(), 100 * share));
      }
      assertThat(worst).isLessThan(0.02);
      reporter.publishValue(
          "Maglev weight-change collateral, " + n + " nodes", line.toString().trim());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Order and history

  /**
   * The same weighted set, reached by different paths, places every key alike: nodes added in any
   * order; or first at other weights, then set right; or alongside a node that comes and goes. The
   * from-scratch models of the documented weighted constructions agree.
   */
  @Property(tries = 15)
  void weightedPlacementDependsOnlyOnTheWeightedSet(
      @ForAll(supplier = SmallWeightedSets.class) Map<String, Integer> weights,
      @ForAll Random random) {
    Map<String, Integer> wrong = new LinkedHashMap<>();
    weights.forEach((node, w) -> wrong.put(node, w % 5 + 1));
    List<String> order = shuffled(weights.keySet(), random);
    List<String> other = shuffled(weights.keySet(), random);

    for (Kind kind : Kind.CHEAP) {
      List<String> expected = placement(kind.build(weights), KEYS_2K);
      assertThat(placement(kind.build(weights, order), KEYS_2K))
          .as("%s added in order %s", kind, order)
          .isEqualTo(expected);

      Placement<String> history = kind.create(other.subList(0, other.size() / 2));
      history.addNode("transient-node", 3);
      addAll(history, wrong, other);
      addAll(history, weights, order);
      history.removeNode("transient-node");
      assertThat(placement(history, KEYS_2K))
          .as(
              "%s: unweighted %s, weights %s, then %s",
              kind, other.subList(0, other.size() / 2), wrong, weights)
          .isEqualTo(expected);
    }

    Placement<String> ring = Kind.RING.build(weights, order);
    Placement<String> hrw = Kind.RENDEZVOUS.build(weights, order);
    ReferenceRing referenceRing = new ReferenceRing(weights, ConsistentHash.DEFAULT_VIRTUAL_NODES);
    ReferenceRendezvous referenceHrw = new ReferenceRendezvous(weights);
    for (String key : KEYS_2K.subList(0, 100)) {
      assertThat(ring.getNode(key)).as("ring, %s", key).isEqualTo(referenceRing.owner(key));
      assertThat(hrw.getNode(key)).as("rendezvous, %s", key).isEqualTo(referenceHrw.owner(key));
    }
    Maglev<String> maglev = addAll(new Maglev<>(List.of(), SMALL_TABLE), weights, order);
    assertThat(table(maglev)).isEqualTo(new ReferenceMaglev(weights, SMALL_TABLE).table());
  }

  // ---------------------------------------------------------------------------------------------
  // weight(N)

  @Property(tries = 10)
  void weightIsTheWeightGivenAndZeroForAbsentNodes(
      @ForAll(supplier = CheapKinds.class) Kind kind,
      @ForAll(supplier = SmallWeightedSets.class) Map<String, Integer> weights) {
    Placement<String> placement = kind.build(weights);
    BoundedLoad<String> bounded = new BoundedLoad<>(placement, node -> 0);
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      assertThat(placement.weight(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(bounded.weight(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(placement.weight("absent-node")).isZero();
    assertThat(bounded.weight("absent-node")).isZero();

    String first = weights.keySet().iterator().next();
    placement.addNode(first); // present: keeps its weight
    assertThat(placement.weight(first)).isEqualTo(weights.get(first));
    placement.removeNode(first);
    assertThat(placement.weight(first)).isZero();
    placement.addNode(first);
    assertThat(placement.weight(first)).isEqualTo(1);
    assertThat(kind.create(List.of("x")).weight("x")).isEqualTo(1);
  }
}
