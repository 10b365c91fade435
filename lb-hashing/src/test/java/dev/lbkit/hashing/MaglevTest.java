package dev.lbkit.hashing;

import static dev.lbkit.hashing.Placements.keys;
import static dev.lbkit.hashing.Placements.placement;
import static dev.lbkit.hashing.Placements.slotOf;
import static dev.lbkit.hashing.Placements.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.hashing.ConsistentHashTest.Backend;
import dev.lbkit.hashing.ConsistentHashTest.Opaque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Example-based tests of {@link Maglev}: the API, the lookup table (exactly, read back slot by slot
 * through {@link Placements#table}), balance, disruption, node naming and bad input.
 */
class MaglevTest {

  private static final List<String> SERVERS = List.of("server1", "server2", "server3");
  private static final List<String> TEN = keys("node-", 10);

  @Nested
  class Basics {

    @Test
    void emptyMaglevReturnsNull() {
      assertThat(new Maglev<String>().getNode("user:123")).isNull();
      assertThat(new Maglev<String>(List.of()).getNode("user:123")).isNull();
      assertThat(new Maglev<String>(List.of(), 7).getNode("")).isNull();
      assertThat(new Maglev<String>().size()).isZero();
      assertThat(new Maglev<String>().nodes()).isEmpty();
    }

    @Test
    void maglevEmptiedByRemovalReturnsNull() {
      Maglev<String> maglev = new Maglev<>(List.of("a"));
      assertThat(maglev.getNode("k")).isEqualTo("a");
      maglev.removeNode("a");
      assertThat(maglev.getNode("k")).isNull();
      assertThat(maglev.size()).isZero();
      assertThat(maglev.nodes()).isEmpty();
      assertThat(maglev.getDistribution(List.of("k"))).isEmpty();
      maglev.addNode("b");
      assertThat(maglev.getNode("k")).isEqualTo("b");
    }

    @Test
    void defaultTableHas65537Slots() {
      assertThat(Maglev.DEFAULT_TABLE_SIZE).isEqualTo(65_537);
      assertThat(new Maglev<String>().tableSize()).isEqualTo(65_537);
      assertThat(new Maglev<>(SERVERS).tableSize()).isEqualTo(65_537);
      assertThat(new Maglev<>(SERVERS, 1009).tableSize()).isEqualTo(1009);
      assertThat(new Maglev<>(SERVERS, 1009).toString())
          .contains("server1", "server2", "server3", "tableSize=1009");
    }

    @Test
    void sameKeyAlwaysMapsToSameNodeInEveryInstance() {
      Maglev<String> maglev = new Maglev<>(SERVERS);
      Maglev<String> other = new Maglev<>(List.of("server3", "server1", "server2"));
      assertThat(maglev.getNode("user:123")).isEqualTo(maglev.getNode("user:123")).isIn(SERVERS);
      for (String key : keys("key:", 10_000)) {
        String owner = maglev.getNode(key);
        assertThat(owner).as(key).isIn(SERVERS).isEqualTo(maglev.getNode(key));
        assertThat(other.getNode(key)).as(key).isEqualTo(owner);
      }
    }

    @Test
    void singleNodeOwnsEveryKey() {
      for (int tableSize : new int[] {2, 3, 1009, Maglev.DEFAULT_TABLE_SIZE}) {
        Maglev<String> maglev = new Maglev<>(List.of("only"), tableSize);
        for (String key : keys("k", 1000)) {
          assertThat(maglev.getNode(key)).as("%s, table %d", key, tableSize).isEqualTo("only");
        }
      }
    }

    @Test
    void duplicatesInTheConstructorCountOnce() {
      Maglev<String> maglev = new Maglev<>(List.of("a", "b", "a", "b", "c"), 1009);
      assertThat(maglev.nodes()).containsExactly("a", "b", "c");
      assertThat(table(maglev)).isEqualTo(table(new Maglev<>(List.of("a", "b", "c"), 1009)));
    }

    @Test
    void addingANodeTwiceIsANoOp() {
      Maglev<String> maglev = new Maglev<>(SERVERS, 1009);
      List<String> before = table(maglev);

      maglev.addNode("server2");
      maglev.addNode("server2");

      assertThat(maglev.nodes()).isEqualTo(SERVERS);
      assertThat(table(maglev)).isEqualTo(before);
    }

    @Test
    void removingAnAbsentNodeIsANoOp() {
      Maglev<String> maglev = new Maglev<>(SERVERS, 1009);
      List<String> before = table(maglev);

      maglev.removeNode("server9");
      assertThat(table(maglev)).isEqualTo(before);

      maglev.removeNode("server2");
      maglev.removeNode("server2");
      assertThat(maglev.nodes()).containsExactly("server1", "server3");
      assertThat(table(maglev))
          .isEqualTo(table(new Maglev<>(List.of("server1", "server3"), 1009)))
          .isNotEqualTo(before);
    }

    @Test
    void addThenRemoveRestoresTheTableExactly() {
      Maglev<String> maglev = new Maglev<>(TEN);
      List<String> before = table(maglev);
      maglev.addNode("node-10");
      assertThat(table(maglev)).isNotEqualTo(before);
      maglev.removeNode("node-10");
      assertThat(table(maglev)).isEqualTo(before);
    }

    @Test
    void placementDependsOnTheTableSize() {
      List<String> keys = keys("key:", 1000);
      assertThat(placement(new Maglev<>(SERVERS, 1009), keys))
          .isNotEqualTo(placement(new Maglev<>(SERVERS, 1013), keys));
    }

    @Test
    void aTableOfTwoSlotsHoldsOneNode() {
      Maglev<String> maglev = new Maglev<>(List.of("a"), 2);
      assertThat(table(maglev)).containsExactly("a", "a");
      assertThatThrownBy(() -> maglev.addNode("b"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tableSize: 2 (expected: a prime > node count 2)");
      assertThat(maglev.nodes()).containsExactly("a");
      assertThat(table(maglev)).containsExactly("a", "a");
    }

    @Test
    void aTableHoldsUpToTableSizeMinusOneNodes() {
      List<String> six = List.of("f", "e", "d", "c", "b", "a");
      Maglev<String> maglev = new Maglev<>(six, 7);
      // 7 slots, 6 nodes taking turns in name order: "a" claims the 7th slot.
      assertThat(Placements.slotCounts(maglev))
          .containsExactly(
              Map.entry("a", 2),
              Map.entry("b", 1),
              Map.entry("c", 1),
              Map.entry("d", 1),
              Map.entry("e", 1),
              Map.entry("f", 1));

      assertThatThrownBy(() -> maglev.addNode("g"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tableSize: 7 (expected: a prime > node count 7)");
      assertThat(maglev.nodes()).containsExactly("a", "b", "c", "d", "e", "f");
      assertThat(table(maglev)).isEqualTo(new ReferenceMaglev(six, 7).table());
    }

    @Test
    void addingADifferentNodeWithATakenNameThrowsNamingIt() {
      Maglev<Object> maglev = new Maglev<>(List.of("1", "2"), 101);
      List<Object> before = table(maglev);

      assertThatThrownBy(() -> maglev.addNode(1)) // Integer 1 is named "1", like the String "1"
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node: 1 (expected: a unique name")
          .hasMessageContaining("already named 1");

      assertThat(maglev.nodes()).containsExactly("1", "2");
      assertThat(table(maglev)).isEqualTo(before);
    }

    @Test
    void constructorRejectsTwoDifferentNodesWithOneName() {
      Backend first = new Backend("a", "10.0.0.1");
      Backend second = new Backend("a", "10.0.0.2");
      assertThatThrownBy(() -> new Maglev<>(List.of(first, second)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node: " + second)
          .hasMessageContaining("unique name")
          .hasMessageContaining(first + " is already named a");
    }
  }

  /** The lookup table itself, read back exactly. */
  @Nested
  class Table {

    /**
     * 65,537 = 10 x 6,553 + 7: nodes take turns in name order, so after 6,553 full rounds the first
     * seven names claim the last seven slots. Counts differ by at most one, and which nodes get the
     * extra slot follows from the construction.
     */
    @Test
    void slotCountsDifferByAtMostOneTheExtraSlotsGoingToTheFirstNames() {
      List<String> shuffled = new ArrayList<>(TEN);
      Collections.shuffle(shuffled, new Random(7));
      Maglev<String> maglev = new Maglev<>(shuffled);

      Map<String, Integer> counts = Placements.slotCounts(maglev);

      assertThat(new ArrayList<>(counts.keySet())).isEqualTo(TEN);
      for (int i = 0; i < 10; i++) {
        assertThat(counts.get(TEN.get(i))).as(TEN.get(i)).isEqualTo(i < 7 ? 6554 : 6553);
      }

      // 65,537 = 3 x 21,845 + 2
      assertThat(Placements.slotCounts(new Maglev<>(SERVERS)))
          .containsExactly(
              Map.entry("server1", 21_846),
              Map.entry("server2", 21_846),
              Map.entry("server3", 21_845));
    }

    @Test
    void aKeyGoesToTheOwnerOfSlotKeyHashModTableSize() {
      Maglev<String> maglev = new Maglev<>(TEN);
      List<String> table = table(maglev); // read through other keys, one per slot
      for (String key : keys("user:", 20_000)) {
        assertThat(maglev.getNode(key))
            .as(key)
            .isEqualTo(table.get(slotOf(key, maglev.tableSize())));
      }
      // A hash with the top bit set must be reduced as unsigned: find such keys and check them.
      int negative = 0;
      for (String key : keys("neg:", 2_000)) {
        if (KeyHash.of(key) < 0) {
          negative++;
          long unsigned = Long.remainderUnsigned(KeyHash.of(key), maglev.tableSize());
          assertThat(maglev.getNode(key)).as(key).isEqualTo(table.get((int) unsigned));
        }
      }
      assertThat(negative).isGreaterThan(500);
    }

    @Test
    void tableMatchesTheFromScratchModelOfThePaper() {
      assertThat(table(new Maglev<>(TEN))).isEqualTo(new ReferenceMaglev(TEN, 65_537).table());
      assertThat(table(new Maglev<>(SERVERS, 101)))
          .isEqualTo(new ReferenceMaglev(SERVERS, 101).table());
      List<String> odd = List.of("10.0.0.1:8080", "日本", "\uD83D\uDE00", "a", "A");
      assertThat(table(new Maglev<>(odd, 4099))).isEqualTo(new ReferenceMaglev(odd, 4099).table());
    }

    @Test
    void tableDoesNotDependOnInsertionOrder() {
      List<String> expected = new ReferenceMaglev(TEN, 65_537).table();
      List<List<String>> orders = new ArrayList<>();
      orders.add(TEN);
      List<String> reversed = new ArrayList<>(TEN);
      Collections.reverse(reversed);
      orders.add(reversed);
      Random random = new Random(20_261_123L); // fixed: arbitrary but reproducible orders
      for (int i = 0; i < 4; i++) {
        List<String> shuffled = new ArrayList<>(TEN);
        Collections.shuffle(shuffled, random);
        orders.add(shuffled);
      }
      for (List<String> order : orders) {
        assertThat(table(new Maglev<>(order))).as("constructor %s", order).isEqualTo(expected);

        Maglev<String> grown = new Maglev<>();
        order.forEach(grown::addNode);
        assertThat(table(grown)).as("addNode %s", order).isEqualTo(expected);

        Maglev<String> mixed = new Maglev<>(order.subList(0, 3));
        mixed.addNode("node-10");
        order.subList(3, 10).forEach(mixed::addNode);
        mixed.removeNode("node-10");
        assertThat(table(mixed))
            .as("constructor, addNode and removeNode %s", order)
            .isEqualTo(expected);
      }
    }
  }

  @Nested
  class BalanceAndDisruption {

    private final List<String> keys = keys("key-", 200_000);

    /*
     * Tolerance. The table gives each of the 10 nodes 6,553 or 6,554 of 65,537 slots (checked
     * exactly above), a share within 0.02% of 1/10; the paper promises within 1% once the table
     * has 100 x n slots. Counting 200,000 keys adds binomial noise: sigma = sqrt(200,000 x 0.1 x
     * 0.9) = 134 keys = 0.67% of the mean of 20,000. Allowed: 1% + 5 sigma = 871 keys (4.4%). A
     * correct table exceeds 5 sigma on some node with probability about 10 x 5.7e-7 = 6e-6 (and the
     * keys and nodes here are fixed, so the outcome is fixed too); a ring of 150 virtual nodes
     * (sigma 7.7%, busiest node about 1.16 x the mean) fails it.
     */
    @Test
    void tenNodesShare200000KeysWithin1PercentPlusSamplingNoise() {
      Map<String, Integer> dist = new Maglev<>(TEN).getDistribution(keys);
      double mean = keys.size() / 10.0;
      double sigma = Math.sqrt(keys.size() * 0.1 * 0.9);
      double tolerance = 0.01 * mean + 5 * sigma;
      assertThat(dist).hasSize(10);
      for (Map.Entry<String, Integer> e : dist.entrySet()) {
        assertThat(Math.abs(e.getValue() - mean))
            .as(
                "%s owns %d keys; mean %.0f, allowed +-%.0f",
                e.getKey(), e.getValue(), mean, tolerance)
            .isLessThanOrEqualTo(tolerance);
      }
    }

    /*
     * Removing one of 10 nodes at 65,537 slots: the removed node's keys must all move, and Maglev
     * moves a few others too (its price for perfect balance). The research (performance-anchors.md
     * §1c, simulated) puts that collateral at about 0.24% of all keys at n = 10; over 200 random
     * 10-node sets it averaged 0.24% and peaked at 0.64%. The bound, 3%, is loose on purpose: it
     * catches a table that reshuffles (collateral ~ 90%) or whose permutations depend on the node
     * count, not noise.
     */
    @Test
    void removingOneOfTenNodesMovesItsKeysAndFewOthers() {
      Maglev<String> maglev = new Maglev<>(TEN);
      List<String> before = placement(maglev, keys);
      List<String> tableBefore = table(maglev);
      maglev.removeNode("node-3");
      List<String> after = placement(maglev, keys);
      List<String> tableAfter = table(maglev);

      int owned = 0;
      int collateral = 0;
      for (int k = 0; k < keys.size(); k++) {
        if (before.get(k).equals("node-3")) {
          owned++;
          assertThat(after.get(k)).as(keys.get(k)).isNotNull().isNotEqualTo("node-3");
        } else if (!before.get(k).equals(after.get(k))) {
          collateral++;
        }
      }
      assertThat(owned).isPositive();
      assertThat(collateral / (double) keys.size()).as("collateral share of keys").isLessThan(0.03);
      assertThat(collateralSlots(tableBefore, tableAfter, "node-3") / 65_537.0)
          .as("collateral share of slots")
          .isLessThan(0.03);
      assertThat(Placements.moved(before, after) / (keys.size() / 10.0))
          .as("moved / ideal")
          .isStrictlyBetween(0.9, 1.3);
    }

    @Test
    void addingAnEleventhNodeMovesKeysMostlyOntoIt() {
      Maglev<String> maglev = new Maglev<>(TEN);
      List<String> before = placement(maglev, keys);
      List<String> tableBefore = table(maglev);
      maglev.addNode("node-10");
      List<String> after = placement(maglev, keys);
      List<String> tableAfter = table(maglev);

      int ontoNew = 0;
      int collateral = 0;
      for (int k = 0; k < keys.size(); k++) {
        if (after.get(k).equals("node-10")) {
          ontoNew++;
        } else if (!before.get(k).equals(after.get(k))) {
          collateral++;
        }
      }
      assertThat(ontoNew / (keys.size() / 11.0))
          .as("keys onto node-10 / ideal")
          .isStrictlyBetween(0.9, 1.1);
      assertThat(collateral / (double) keys.size()).as("collateral share of keys").isLessThan(0.03);
      assertThat(collateralSlots(tableAfter, tableBefore, "node-10") / 65_537.0)
          .as("collateral share of slots")
          .isLessThan(0.03);
    }

    /** Slots whose owner changed although {@code before}'s owner is not {@code gone}. */
    private int collateralSlots(List<String> before, List<String> after, String gone) {
      int collateral = 0;
      for (int s = 0; s < before.size(); s++) {
        if (!before.get(s).equals(gone) && !before.get(s).equals(after.get(s))) {
          collateral++;
        }
      }
      return collateral;
    }
  }

  @Nested
  class NodeTypes {

    @Test
    void identifiedNodeIsPlacedByItsId() {
      List<Backend> backends =
          List.of(
              new Backend("a", "10.0.0.1"), new Backend("b", "10.0.0.2"), new Backend("c", "x"));
      Maglev<Backend> byId = new Maglev<>(backends, 1009);
      Maglev<String> byString = new Maglev<>(List.of("a", "b", "c"), 1009);
      assertThat(table(byId)).map(Backend::id).isEqualTo(table(byString));
      assertThat(byId.nodes()).containsExactlyElementsOf(backends);

      byId.removeNode(new Backend("b", "10.0.0.2"));
      assertThat(byId.nodes()).containsExactly(backends.get(0), backends.get(2));
    }

    @Test
    void nodeTypeWithoutItsOwnToStringIsRejectedNamingTheClass() {
      assertThatThrownBy(() -> new Maglev<>(List.of(new Opaque("a"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Opaque.class.getName())
          .hasMessageContaining("nodeName function");
      Maglev<Opaque> maglev = new Maglev<>();
      assertThatThrownBy(() -> maglev.addNode(new Opaque("b")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Opaque.class.getName());
      assertThat(maglev.size()).isZero();
    }

    @Test
    void nodeNameFunctionNamesAnyType() {
      Opaque a = new Opaque("a");
      Opaque b = new Opaque("b");
      Opaque c = new Opaque("c");
      Maglev<Opaque> maglev = new Maglev<>(List.of(c, a, b), 1009, o -> o.label);
      assertThat(table(maglev))
          .map(o -> o.label)
          .isEqualTo(table(new Maglev<>(List.of("a", "b", "c"), 1009)));
      assertThat(maglev.nodes()).containsExactly(a, b, c);
      maglev.removeNode(b);
      assertThat(maglev.nodes()).containsExactly(a, c);
    }

    @Test
    void boxedNumbersAreNamedByToString() {
      assertThat(table(new Maglev<>(List.of(3, 1, 2), 1009)))
          .map(String::valueOf)
          .isEqualTo(table(new Maglev<>(List.of("1", "2", "3"), 1009)));
    }
  }

  /** Every public constructor and method rejects bad arguments at once, naming them. */
  @Nested
  @SuppressWarnings("NullAway") // passes null where the API forbids it, on purpose
  class BadInput {

    private final Maglev<String> maglev = new Maglev<>(SERVERS, 1009);

    @Test
    void tableSizeThatIsNotAPrimeIsRejectedWithTheValue() {
      for (int bad : new int[] {100, 0, 1, -1, -7, 4, 9, 65_536, 1_000_000, Integer.MIN_VALUE}) {
        String expected = "tableSize: " + bad + " (expected: a prime";
        assertThatThrownBy(() -> new Maglev<>(SERVERS, bad))
            .as("tableSize %d", bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(expected);
        assertThatThrownBy(() -> new Maglev<String>(List.of(), bad))
            .as("tableSize %d, no nodes", bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(expected);
        assertThatThrownBy(() -> new Maglev<>(SERVERS, bad, Function.identity()))
            .as("tableSize %d, nodeName", bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(expected);
      }
      assertThatThrownBy(() -> new Maglev<>(SERVERS, 100))
          .hasMessage("tableSize: 100 (expected: a prime <= 67108864)");
      assertThatThrownBy(() -> new Maglev<String>(List.of(), Integer.MAX_VALUE)) // prime, too big
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tableSize: 2147483647 (expected: a prime <= 67108864)");
    }

    @Test
    void tableSizeNotLargerThanTheNodeCountIsRejectedWithBoth() {
      List<String> nine = keys("n", 9);
      assertThatThrownBy(() -> new Maglev<>(nine, 7))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tableSize: 7 (expected: a prime > node count 9)");
      assertThatThrownBy(() -> new Maglev<>(keys("n", 7), 7))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tableSize: 7 (expected: a prime > node count 7)");
      assertThat(new Maglev<>(keys("n", 6), 7).size()).isEqualTo(6);
    }

    @Test
    void addingOneNodeTooManyIsRejectedAndChangesNothing() {
      Maglev<String> full = new Maglev<>(keys("n", 10), 11);
      List<String> before = table(full);
      assertThatThrownBy(() -> full.addNode("extra"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tableSize: 11 (expected: a prime > node count 11)");
      assertThat(full.nodes()).isEqualTo(new Maglev<>(keys("n", 10), 11).nodes());
      assertThat(table(full)).isEqualTo(before);
      full.addNode("n3"); // already present: still a no-op when full
      full.removeNode("n3");
      full.addNode("extra"); // room again
      assertThat(full.size()).isEqualTo(10);
    }

    @Test
    void nullNodesCollectionIsRejected() {
      Collection<String> none = null;
      assertThatThrownBy(() -> new Maglev<>(none))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodes");
      assertThatThrownBy(() -> new Maglev<>(none, 1009))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodes");
      assertThatThrownBy(() -> new Maglev<>(none, 1009, Function.identity()))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodes");
    }

    @Test
    void nullNodeElementIsRejected() {
      List<String> withNull = Arrays.asList("a", null, "c");
      assertThatThrownBy(() -> new Maglev<>(withNull))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
      assertThatThrownBy(() -> new Maglev<>(withNull, 1009))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
    }

    @Test
    void nullNodeNameFunctionIsRejected() {
      Function<String, String> none = null;
      assertThatThrownBy(() -> new Maglev<>(SERVERS, 1009, none))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodeName");
    }

    @Test
    void emptyOrNullNodeNameIsRejected() {
      assertThatThrownBy(() -> new Maglev<>(SERVERS, 1009, s -> null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node: server1 (expected: a non-empty stable name, got null)");
      assertThatThrownBy(() -> new Maglev<>(List.of(new Backend("", "h"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("non-empty stable name");
    }

    @Test
    void nullNodeIsRejectedByAddAndRemove() {
      assertThatThrownBy(() -> maglev.addNode(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
      assertThatThrownBy(() -> maglev.removeNode(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
      assertThat(maglev.nodes()).isEqualTo(SERVERS);
    }

    @Test
    void nullKeyIsRejected() {
      assertThatThrownBy(() -> maglev.getNode(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> new Maglev<String>().getNode(null))
          .as("even when empty")
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
    }

    @Test
    void nullKeysAndNullKeyAmongKeysAreRejected() {
      assertThatThrownBy(() -> maglev.getDistribution(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("keys");
      assertThatThrownBy(() -> maglev.getDistribution(Arrays.asList("a", null)))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> new Maglev<String>().getDistribution(Arrays.asList("a", null)))
          .as("even when empty")
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
    }
  }
}
