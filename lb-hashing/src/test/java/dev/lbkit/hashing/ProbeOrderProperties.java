package dev.lbkit.hashing;

import static dev.lbkit.hashing.Placements.table;
import static dev.lbkit.hashing.WeightedPlacements.addAll;
import static dev.lbkit.hashing.WeightedPlacements.shuffled;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.WeightedPlacements.CheapKinds;
import dev.lbkit.hashing.WeightedPlacements.Kind;
import dev.lbkit.hashing.WeightedPlacements.SmallWeightedSets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The probe order, {@link Placement#getNode(String, Predicate)}, of the ring, Maglev and
 * Rendezvous, weighted and not: it starts at the key's node; for the ring and Rendezvous it is
 * exactly the placement without the ineligible nodes; for Maglev it is the table from the key's
 * slot onward; it asks about each node at most once, and returns null only when no node is
 * eligible. {@link BoundedLoad} keeps the promise too.
 */
class ProbeOrderProperties {

  private static final List<String> KEYS = Placements.keys("probe-", 1500);

  /** The nodes whose bit is set in {@code mask}, with their weights, in the set's order. */
  private static Map<String, Integer> subset(Map<String, Integer> weights, long mask) {
    Map<String, Integer> chosen = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      if ((mask >>> i++ & 1) == 1) {
        chosen.put(e.getKey(), e.getValue());
      }
    }
    return chosen;
  }

  /**
   * Ring and Rendezvous: the first eligible node in the probe order is exactly where the key would
   * go if the ineligible nodes were removed (the ring's next point clockwise of an eligible node;
   * the next-highest score), with the same weights; null when none is eligible.
   */
  @Property(tries = 40)
  void ringAndRendezvousProbeAsIfTheIneligibleNodesWereRemoved(
      @ForAll(supplier = SmallWeightedSets.class) Map<String, Integer> weights, @ForAll long mask) {
    Map<String, Integer> eligible = subset(weights, mask);
    for (Kind kind : List.of(Kind.RING, Kind.RENDEZVOUS)) {
      Placement<String> placement = kind.build(weights);
      Placement<String> withoutIneligible = kind.build(eligible);
      for (String key : KEYS) {
        assertThat(placement.getNode(key, eligible::containsKey))
            .as("%s, %s, eligible %s", kind, key, eligible.keySet())
            .isEqualTo(withoutIneligible.getNode(key));
      }
    }
  }

  /**
   * Maglev: the probe order is the lookup table from the key's slot onward, wrapping around (read
   * back exactly through {@link Placements#table}); so it never returns an ineligible node, returns
   * one whenever one exists, and is the same in a table built in another order.
   */
  @Property(tries = 40)
  void maglevProbesTheTableFromTheKeysSlotOnward(
      @ForAll(supplier = SmallWeightedSets.class) Map<String, Integer> weights,
      @ForAll long mask,
      @ForAll Random random) {
    int tableSize = 1009;
    Set<String> eligible = subset(weights, mask).keySet();
    Maglev<String> maglev =
        addAll(new Maglev<>(List.of(), tableSize), weights, List.copyOf(weights.keySet()));
    Maglev<String> reordered =
        addAll(new Maglev<>(List.of(), tableSize), weights, shuffled(weights.keySet(), random));
    List<String> table = table(maglev);
    for (String key : KEYS) {
      String expected = null;
      int slot = Placements.slotOf(key, tableSize);
      for (int step = 0; step < tableSize && !eligible.isEmpty(); step++) {
        String owner = table.get((slot + step) % tableSize);
        if (eligible.contains(owner)) {
          expected = owner;
          break;
        }
      }
      assertThat(maglev.getNode(key, eligible::contains))
          .as("%s, slot %d, eligible %s", key, slot, eligible)
          .isEqualTo(expected);
      assertThat(reordered.getNode(key, eligible::contains)).as(key).isEqualTo(expected);
    }
  }

  /**
   * The probe starts at the key's node: with every node eligible, or the key's node among the
   * eligible, it is the answer. The predicate is asked about each node at most once per lookup, and
   * about every node exactly once when none is eligible (then the answer is null). The same for
   * {@link BoundedLoad} over each placement, with loads that make some nodes full.
   */
  @Property(tries = 40)
  void theProbeStartsAtTheKeysNodeAndAsksAboutEachNodeOnce(
      @ForAll(supplier = CheapKinds.class) Kind kind,
      @ForAll(supplier = SmallWeightedSets.class) Map<String, Integer> weights,
      @ForAll long mask) {
    Placement<String> placement = kind.build(weights);
    Set<String> eligible = subset(weights, mask).keySet();
    for (String key : KEYS) {
      String owner = placement.getNode(key);
      assertThat(placement.getNode(key, node -> true)).as(key).isEqualTo(owner);
      assertThat(placement.getNode(key, node -> node.equals(owner) || eligible.contains(node)))
          .as("%s: its node %s is eligible", key, owner)
          .isEqualTo(owner);
    }

    Map<String, Integer> loads = new HashMap<>();
    int i = 0;
    for (String node : weights.keySet()) {
      loads.put(node, (i++ % 3) * 50); // 0, 50, 100: some nodes full, some not
    }
    BoundedLoad<String> bounded = new BoundedLoad<>(placement, 1.25, loads::get);
    for (Placement<String> p : List.of(placement, bounded)) {
      for (String key : KEYS.subList(0, 300)) {
        Map<String, Integer> asked = new HashMap<>();
        String found =
            p.getNode(
                key,
                node -> {
                  asked.merge(node, 1, Integer::sum);
                  return eligible.contains(node);
                });
        assertThat(asked.values())
            .as("%s, %s: times each node was asked %s", p, key, asked)
            .allMatch(times -> times == 1);
        if (eligible.isEmpty()) {
          assertThat(found).isNull();
          assertThat(asked.keySet()).isEqualTo(weights.keySet());
        } else {
          assertThat(found).as(key).isIn(eligible);
        }
      }
    }
  }

  @Example
  void anEmptyPlacementReturnsNullWithoutAskingAnything() {
    for (Kind kind : Kind.values()) {
      Placement<String> empty = kind.create(List.of());
      Predicate<String> never =
          node -> {
            throw new AssertionError("asked about " + node);
          };
      assertThat(empty.getNode("key", never)).isNull();
      assertThat(new BoundedLoad<>(empty, node -> 0).getNode("key", never)).isNull();
      Placement<String> emptied = kind.create(List.of("a"));
      emptied.removeNode("a");
      assertThat(emptied.getNode("key", never)).isNull();
    }
  }
}
