package dev.lbkit.hashing;

import static dev.lbkit.hashing.WeightedPlacements.cap;
import static dev.lbkit.hashing.WeightedPlacements.totalWeight;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.WeightedPlacements.CheapKinds;
import dev.lbkit.hashing.WeightedPlacements.Kind;
import dev.lbkit.hashing.WeightedPlacements.WeightedSets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link BoundedLoad} under random arrivals and departures, over the ring, Maglev and Rendezvous,
 * weighted and not: no node ever takes a unit past its cap, {@code ceil(c x (T + 1) x w / W)}
 * computed before the assignment in exact decimal arithmetic; a key goes to its base node while
 * that node is below its cap and otherwise to the first node below its cap in the base's probe
 * order; and a burst of keys ({@code getDistribution}) ends with no node above the cap.
 */
class BoundedLoadProperties {

  private static final List<String> HOT_KEYS = List.of("hot-0", "hot-1", "hot-2");

  @Provide
  Arbitrary<Double> balanceFactors() {
    return Arbitraries.of(1.1, 1.25, 2.0);
  }

  /**
   * 2,000 events from a seeded source: 40% a random unit in flight departs, 60% a key arrives (a
   * quarter of them one of three hot keys, which fill their nodes). Before each arrival the test
   * computes every cap from the loads it tracks itself, then checks the one node the class picks.
   */
  @Property(tries = 40)
  void noNodeEverTakesAUnitPastItsCapUnderArrivalsAndDepartures(
      @ForAll(supplier = CheapKinds.class) Kind kind,
      @ForAll("balanceFactors") double c,
      @ForAll(supplier = WeightedSets.class) Map<String, Integer> drawn,
      @ForAll boolean weighted,
      @ForAll Random random) {
    Map<String, Integer> weights = weighted ? drawn : WeightedPlacements.uniform(drawn.keySet(), 1);
    long totalWeight = totalWeight(weights);
    Placement<String> base = kind.build(weights);
    Map<String, Integer> loads = new HashMap<>();
    BoundedLoad<String> bounded = new BoundedLoad<>(base, c, node -> loads.getOrDefault(node, 0));
    List<String> inFlight = new ArrayList<>(); // the node of each unit in flight

    for (int event = 0; event < 2000; event++) {
      if (!inFlight.isEmpty() && random.nextInt(10) < 4) {
        int gone = random.nextInt(inFlight.size());
        loads.merge(inFlight.get(gone), -1, Integer::sum);
        inFlight.set(gone, inFlight.get(inFlight.size() - 1));
        inFlight.remove(inFlight.size() - 1);
        continue;
      }
      String key =
          random.nextInt(4) == 0
              ? HOT_KEYS.get(random.nextInt(HOT_KEYS.size()))
              : "key-" + random.nextInt(1_000_000);
      long total = inFlight.size();
      Map<String, Long> caps = new HashMap<>();
      weights.forEach((node, w) -> caps.put(node, cap(c, total, w, totalWeight)));

      String home = base.getNode(key);
      String expected =
          loads.getOrDefault(home, 0) < caps.get(home)
              ? home
              : base.getNode(key, node -> loads.getOrDefault(node, 0) < caps.get(node));
      assertThat(expected)
          .as("loads %s add up to %d: some node is below its cap %s", loads, total, caps)
          .isNotNull();

      String chosen = bounded.getNode(key);
      assertThat(chosen)
          .as("%s (home %s), loads %s, caps %s", key, home, loads, caps)
          .isEqualTo(expected);
      int after = loads.merge(chosen, 1, Integer::sum);
      assertThat((long) after)
          .as("%s's load after taking %s; T was %d, c %s", chosen, key, total, c)
          .isLessThanOrEqualTo(caps.get(chosen));
      inFlight.add(chosen);
    }
  }

  /**
   * A burst of 10^4 to 10^5 keys from no load: every node's count is at most the cap of the last
   * assignment, {@code ceil(c x K x w / W)}, so max/mean is at most c, rounded up to whole units.
   */
  @Property(tries = 10)
  void aBurstOfKeysEndsWithNoNodeAboveItsCap(
      @ForAll(supplier = CheapKinds.class) Kind kind,
      @ForAll("balanceFactors") double c,
      @ForAll(supplier = WeightedSets.class) Map<String, Integer> weights,
      @ForAll @IntRange(min = 10_000, max = 100_000) int keyCount,
      @ForAll Random random) {
    List<String> keys = Placements.keys("burst-" + random.nextInt(1000) + "-", keyCount);
    Map<String, Integer> counts =
        new BoundedLoad<>(kind.build(weights), c, node -> 0).getDistribution(keys);
    long totalWeight = totalWeight(weights);
    assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(keyCount);
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      long cap = cap(c, keyCount - 1, weights.get(e.getKey()), totalWeight);
      assertThat((long) e.getValue())
          .as(
              "%s, c = %s, %d keys: %s of weight %d of %d",
              kind, c, keyCount, e.getKey(), weights.get(e.getKey()), totalWeight)
          .isLessThanOrEqualTo(cap);
    }
  }
}
