package dev.lbkit.hashing;

import static dev.lbkit.hashing.Placements.placement;
import static dev.lbkit.hashing.Placements.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of {@link Maglev} and {@link Rendezvous} over node names drawn by jqwik: agreement
 * with from-scratch models, order and history independence, Maglev's slot counts and bounded
 * collateral, Rendezvous's zero collateral and balance. Maglev properties with many tries use small
 * prime tables (a build at 65,537 slots costs a few milliseconds, a table read-back about as much).
 */
class PlacementProperties {

  private static final List<String> KEYS_100K = Placements.keys("key-", 100_000);

  /** Distinct node names such as "cache-3", "10.0.0.7:80" or "x": short, varied, any order. */
  private static Arbitrary<String> nodeName() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('0', '9')
        .withChars("-:.")
        .ofMinLength(1)
        .ofMaxLength(12);
  }

  @Provide
  Arbitrary<List<String>> nodeSets() {
    return nodeName().list().uniqueElements().ofMinSize(1).ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<String>> smallNodeSets() {
    return nodeName().list().uniqueElements().ofMinSize(0).ofMaxSize(8);
  }

  @Provide
  Arbitrary<List<String>> tenNodes() {
    return nodeName().list().uniqueElements().ofSize(10);
  }

  @Provide
  Arbitrary<List<String>> universes() {
    return nodeName().list().uniqueElements().ofSize(12);
  }

  /** Primes from the smallest table (2 slots) to a few thousand slots. */
  @Provide
  Arbitrary<Integer> smallPrimes() {
    return Arbitraries.of(2, 3, 5, 7, 11, 13, 17, 31, 101, 251, 1009, 4099);
  }

  @Provide
  Arbitrary<Integer> mediumPrimes() {
    return Arbitraries.of(1009, 1013, 4099);
  }

  /**
   * A salt that varies the key set between tries. An int, not a String: in jqwik 1.9.3, shrinking a
   * failure of a property that draws both a unique-elements list of strings and a String fails with
   * a ClassCastException in ShrinkableString (see ConsistentHashProperties).
   */
  @Provide
  Arbitrary<Integer> salts() {
    return Arbitraries.integers().between(0, 1_000_000);
  }

  private static List<String> keys(int salt, int count) {
    return Placements.keys("k" + salt + ":", count);
  }

  // ---------------------------------------------------------------------------------------------
  // Maglev

  /**
   * The whole table equals the paper's construction, and the slot counts are what turn-taking in
   * name order gives: with {@code M = q x n + r}, the first {@code r} names own {@code q + 1} slots
   * and the others {@code q}. So counts differ by at most one.
   */
  @Property(tries = 200)
  void maglevTableIsThePapersAndSlotCountsDifferByAtMostOne(
      @ForAll("smallNodeSets") List<String> nodes, @ForAll("smallPrimes") int tableSize) {
    Assume.that(nodes.size() < tableSize);
    Maglev<String> maglev = new Maglev<>(nodes, tableSize);

    assertThat(table(maglev)).isEqualTo(new ReferenceMaglev(nodes, tableSize).table());

    Map<String, Integer> counts = Placements.slotCounts(maglev);
    List<String> sorted = new ArrayList<>(nodes);
    Collections.sort(sorted);
    assertThat(new ArrayList<>(counts.keySet())).isEqualTo(sorted);
    if (!nodes.isEmpty()) {
      int q = tableSize / nodes.size();
      int r = tableSize % nodes.size();
      for (int i = 0; i < sorted.size(); i++) {
        assertThat(counts.get(sorted.get(i)))
            .as("slots of %s, #%d in name order, table %d", sorted.get(i), i, tableSize)
            .isEqualTo(i < r ? q + 1 : q);
      }
      assertThat(Collections.max(counts.values()) - Collections.min(counts.values()))
          .isLessThanOrEqualTo(1);
    }
  }

  @Property(tries = 100)
  void maglevTableDoesNotDependOnInsertionOrder(
      @ForAll("nodeSets") List<String> nodes,
      @ForAll("mediumPrimes") int tableSize,
      @ForAll Random random) {
    List<String> expected = table(new Maglev<>(nodes, tableSize));

    List<String> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, random);
    assertThat(table(new Maglev<>(shuffled, tableSize)))
        .as("constructor, order %s", shuffled)
        .isEqualTo(expected);

    Collections.shuffle(shuffled, random);
    Maglev<String> grown = new Maglev<>(List.of(), tableSize);
    shuffled.forEach(grown::addNode);
    assertThat(table(grown)).as("addNode, order %s", shuffled).isEqualTo(expected);

    Collections.shuffle(shuffled, random);
    int split = random.nextInt(shuffled.size() + 1);
    Maglev<String> mixed = new Maglev<>(shuffled.subList(0, split), tableSize);
    shuffled.subList(split, shuffled.size()).forEach(mixed::addNode);
    assertThat(table(mixed))
        .as(
            "constructor %s then addNode %s",
            shuffled.subList(0, split), shuffled.subList(split, shuffled.size()))
        .isEqualTo(expected);
  }

  /**
   * Toggles nodes of a 12-name universe in and out: after every step the table is the one a fresh
   * Maglev over the same set builds (the table has no memory of its history), a removed node owns
   * nothing, and an added node owns its share of slots at once.
   */
  @Property(tries = 60)
  void maglevTableForgetsItsHistory(
      @ForAll("universes") List<String> universe,
      @ForAll @IntRange(min = 0, max = 12) int initial,
      @ForAll @Size(max = 15) List<@IntRange(min = 0, max = 11) Integer> toggles) {
    int tableSize = 1009;
    Set<String> present = new LinkedHashSet<>(universe.subList(0, initial));
    Maglev<String> maglev = new Maglev<>(present, tableSize);

    for (int t : toggles) {
      String node = universe.get(t);
      boolean adding = !present.contains(node);
      if (adding) {
        maglev.addNode(node);
        present.add(node);
      } else {
        maglev.removeNode(node);
        present.remove(node);
      }
      List<String> after = table(maglev);
      assertThat(after)
          .as("after %s %s", adding ? "adding" : "removing", node)
          .isEqualTo(table(new Maglev<>(present, tableSize)));
      if (adding) {
        assertThat(Collections.frequency(after, node))
            .isIn(tableSize / present.size(), tableSize / present.size() + 1);
      } else {
        assertThat(after).doesNotContain(node);
      }
    }
  }

  /*
   * Collateral at the default table: over 200 random 10-node sets it averaged 0.24% of the slots
   * (the research's figure) and peaked at 0.64%. The bound, 3%, catches a table that reshuffles or
   * permutations that depend on the membership, not noise. It holds for nodes whose permutations
   * step apart (Placements.maglevStepsApart): about 1 random set in 700 has not, and then the
   * collateral can reach about 10%.
   */
  @Property(tries = 15)
  void maglevRemovingOneOfTenNodesMovesItsSlotsAndFewOthers(
      @ForAll("tenNodes") List<String> nodes, @ForAll @IntRange(min = 0, max = 9) int removed) {
    Assume.that(Placements.maglevStepsApart(nodes, Maglev.DEFAULT_TABLE_SIZE));
    Maglev<String> maglev = new Maglev<>(nodes);
    String gone = nodes.get(removed);
    List<String> before = table(maglev);
    maglev.removeNode(gone);
    List<String> after = table(maglev);

    int collateral = 0;
    for (int s = 0; s < before.size(); s++) {
      if (before.get(s).equals(gone)) {
        assertThat(after.get(s)).isNotEqualTo(gone);
      } else if (!before.get(s).equals(after.get(s))) {
        collateral++;
      }
    }
    assertThat(collateral / (double) before.size())
        .as("share of slots moved although their node stayed")
        .isLessThan(0.03);
  }

  // ---------------------------------------------------------------------------------------------
  // Rendezvous

  @Property(tries = 50)
  void rendezvousMatchesTheFromScratchModel(
      @ForAll("smallNodeSets") List<String> nodes, @ForAll("salts") int salt) {
    Rendezvous<String> hrw = new Rendezvous<>(nodes);
    ReferenceRendezvous reference = new ReferenceRendezvous(nodes);
    for (String key : keys(salt, 500)) {
      assertThat(hrw.getNode(key)).as(key).isEqualTo(reference.owner(key));
    }
  }

  @Property(tries = 50)
  void rendezvousPlacementDoesNotDependOnInsertionOrder(
      @ForAll("nodeSets") List<String> nodes, @ForAll Random random, @ForAll("salts") int salt) {
    List<String> keys = keys(salt, 2000);
    List<String> expected = placement(new Rendezvous<>(nodes), keys);

    List<String> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, random);
    assertThat(placement(new Rendezvous<>(shuffled), keys))
        .as("constructor, order %s", shuffled)
        .isEqualTo(expected);

    Collections.shuffle(shuffled, random);
    int split = random.nextInt(shuffled.size() + 1);
    Rendezvous<String> mixed = new Rendezvous<>(shuffled.subList(0, split));
    shuffled.subList(split, shuffled.size()).forEach(mixed::addNode);
    assertThat(placement(mixed, keys))
        .as(
            "constructor %s then addNode %s",
            shuffled.subList(0, split), shuffled.subList(split, shuffled.size()))
        .isEqualTo(expected);
  }

  /**
   * Toggles nodes of a 12-name universe in and out, checking after each step, exactly, that only
   * the keys that had to move did: after an add, a key moved if and only if it is now on the new
   * node; after a remove, a key moved if and only if it was on the removed node.
   */
  @Property(tries = 50)
  void rendezvousMovesOnlyTheKeysThatMustMove(
      @ForAll("universes") List<String> universe,
      @ForAll @IntRange(min = 0, max = 12) int initial,
      @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 11) Integer> toggles,
      @ForAll("salts") int salt) {
    List<String> keys = keys(salt, 2000);
    Set<String> present = new LinkedHashSet<>(universe.subList(0, initial));
    Rendezvous<String> hrw = new Rendezvous<>(present);

    for (int t : toggles) {
      String node = universe.get(t);
      List<String> before = placement(hrw, keys);
      boolean adding = !present.contains(node);
      if (adding) {
        hrw.addNode(node);
        present.add(node);
      } else {
        hrw.removeNode(node);
        present.remove(node);
      }
      List<String> after = placement(hrw, keys);
      for (int k = 0; k < keys.size(); k++) {
        String was = before.get(k);
        String is = after.get(k);
        boolean moved = !Objects.equals(was, is);
        if (adding) {
          assertThat(moved)
              .as("%s: %s -> %s after adding %s", keys.get(k), was, is, node)
              .isEqualTo(node.equals(is));
        } else {
          assertThat(moved)
              .as("%s: %s -> %s after removing %s", keys.get(k), was, is, node)
              .isEqualTo(node.equals(was));
        }
      }
      assertThat(after).isEqualTo(placement(new Rendezvous<>(present), keys));
    }
  }

  /*
   * Tolerance. Each node's count of the 100,000 keys is Binomial(100,000, 1/10) for a good score:
   * sigma = 95 keys = 0.95% of the mean. Bound: 6 sigma (569 keys, 5.7%). One run checks 10 tries
   * x 10 nodes = 100 counts, each beyond 6 sigma with probability 2.0e-9, so a correct placement
   * fails a run about once in five million; a biased score (say, one node favoured in ties, or a
   * 32-bit score) is off by far more.
   */
  @Property(tries = 10)
  void rendezvousTenNodesShare100000KeysEvenly(@ForAll("tenNodes") List<String> nodes) {
    Map<String, Integer> dist = new Rendezvous<>(nodes).getDistribution(KEYS_100K);
    double mean = KEYS_100K.size() / 10.0;
    double tolerance = 6 * Math.sqrt(KEYS_100K.size() * 0.1 * 0.9);
    assertThat(dist).hasSize(10);
    for (Map.Entry<String, Integer> e : dist.entrySet()) {
      assertThat(Math.abs(e.getValue() - mean))
          .as(
              "%s owns %d keys; mean %.0f, allowed +-%.0f",
              e.getKey(), e.getValue(), mean, tolerance)
          .isLessThanOrEqualTo(tolerance);
    }
  }
}
