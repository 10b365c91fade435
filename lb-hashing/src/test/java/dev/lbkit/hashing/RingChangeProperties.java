package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The ring changed a node at a time is the ring built at once: after any sequence of adds, removes
 * and weight changes, {@link ConsistentHash} holds the same points with the same owners, in the
 * same order, as a ring built from its final weighted node set, whatever the shape of its index
 * (small shapes reach the chunked directory, rebucketing and long runs of empty buckets with a few
 * dozen points); and it answers every lookup, with and without an eligibility predicate, as the
 * fresh ring and the from-scratch model of the format ({@link ReferenceRing}) do.
 */
class RingChangeProperties {

  private static final Function<String, String> NAME = s -> s;

  @Provide
  Arbitrary<List<String>> universes() {
    return WeightedPlacements.nodeNames().list().uniqueElements().ofSize(10);
  }

  @Provide
  Arbitrary<RingIndex.Shape> shapes() {
    return Arbitraries.oneOf(
        Arbitraries.just(RingIndex.Shape.DEFAULT),
        Combinators.combine(
                Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(0, 6))
            .as((load, flat, chunk) -> new RingIndex.Shape(load, flat, Math.min(chunk, flat))));
  }

  /**
   * A change: node {@code node} of the universe gets weight {@code weight}, 0 removing it; weight
   * -1 is {@code addNode(node)} without a weight.
   */
  record Change(int node, int weight) {}

  @Provide
  Arbitrary<List<Change>> changes() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 9), Arbitraries.integers().between(-1, 4))
        .as(Change::new)
        .list()
        .ofMaxSize(25);
  }

  @Property(tries = 120)
  void aRingChangedNodeByNodeIsTheRingBuiltAtOnce(
      @ForAll("universes") List<String> universe,
      @ForAll("changes") List<Change> changes,
      @ForAll @IntRange(min = 1, max = 12) int virtualNodes,
      @ForAll("shapes") RingIndex.Shape shape,
      @ForAll @Size(value = 10) List<Boolean> eligibleMask) {
    ConsistentHash<String> ring =
        new ConsistentHash<>(NodeSet.empty(), virtualNodes, NAME, ConsistentHash.MAX_POINTS, shape);
    Map<String, Integer> weights = new TreeMap<>();
    List<String> keys = Placements.keys("k" + universe.get(0) + ":", 100);
    Set<String> eligible = new HashSet<>();
    for (int i = 0; i < universe.size(); i++) {
      if (eligibleMask.get(i)) {
        eligible.add(universe.get(i));
      }
    }

    for (Change change : changes) {
      String node = universe.get(change.node());
      if (change.weight() == 0) {
        ring.removeNode(node);
        weights.remove(node);
      } else if (change.weight() == -1) {
        ring.addNode(node);
        weights.putIfAbsent(node, 1);
      } else {
        ring.addNode(node, change.weight());
        weights.put(node, change.weight());
      }

      ring.checkInvariants();
      ConsistentHash<String> fresh = fresh(weights, virtualNodes, shape);
      ConsistentHash<String> freshDefault = fresh(weights, virtualNodes, RingIndex.Shape.DEFAULT);
      assertThat(ring.positions()).as("after %s: positions", change).isEqualTo(fresh.positions());
      assertThat(ring.owners()).as("after %s: owners", change).isEqualTo(fresh.owners());
      assertThat(freshDefault.positions()).isEqualTo(fresh.positions());
      assertThat(ring.nodes()).isEqualTo(new ArrayList<>(weights.keySet()));
      for (String name : universe) {
        assertThat(ring.weight(name)).isEqualTo(weights.getOrDefault(name, 0));
      }

      ReferenceRing reference = new ReferenceRing(weights, virtualNodes);
      for (String key : keys) {
        assertThat(ring.getNode(key))
            .as("%s after %s", key, change)
            .isEqualTo(reference.owner(key));
        assertThat(ring.getNode(key, eligible::contains))
            .as("%s, eligible %s, after %s", key, eligible, change)
            .isEqualTo(reference.owner(key, eligible::contains));
      }
      for (String key : keys.subList(0, 20)) { // the walk's whole circle: one node eligible
        for (String only : weights.keySet()) {
          assertThat(ring.getNode(key, only::equals))
              .as("%s, only %s eligible, after %s", key, only, change)
              .isEqualTo(only);
        }
      }
    }
  }

  /**
   * Weights up to {@link Placement#MAX_WEIGHT} on a small shape: a node's thousands of points land
   * several to a bucket and trigger rebuckets both ways as the weight rises and falls.
   */
  @Property(tries = 20)
  void largeWeightChangesRebucketAndStillMatchAFreshRing(
      @ForAll("universes") List<String> universe,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 4000) Integer> weightsOfFirst) {
    RingIndex.Shape shape = new RingIndex.Shape(2, 3, 1);
    Map<String, Integer> weights = new TreeMap<>();
    for (String name : universe.subList(1, 4)) {
      weights.put(name, 1);
    }
    ConsistentHash<String> ring =
        new ConsistentHash<>(
            NodeSet.of(weights.keySet(), NAME), 3, NAME, ConsistentHash.MAX_POINTS, shape);
    String first = universe.get(0);
    for (int weight : weightsOfFirst) {
      if (weight == 0) {
        ring.removeNode(first);
        weights.remove(first);
      } else {
        ring.addNode(first, weight);
        weights.put(first, weight);
      }
      ring.checkInvariants();
      ConsistentHash<String> fresh = fresh(weights, 3, shape);
      assertThat(ring.positions()).isEqualTo(fresh.positions());
      assertThat(ring.owners()).isEqualTo(fresh.owners());
    }
  }

  private static ConsistentHash<String> fresh(
      Map<String, Integer> weights, int virtualNodes, RingIndex.Shape shape) {
    Map<String, Integer> copy = new LinkedHashMap<>(weights);
    return new ConsistentHash<>(
        NodeSet.of(copy.keySet(), NAME, copy::get),
        virtualNodes,
        NAME,
        ConsistentHash.MAX_POINTS,
        shape);
  }
}
