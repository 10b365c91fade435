package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Example-based tests of {@link ConsistentHash}: the seed's cases, the API, node naming, input. */
class ConsistentHashTest {

  private static final List<String> SERVERS = List.of("server1", "server2", "server3");

  static List<String> keys(String prefix, int count) {
    List<String> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      keys.add(prefix + i);
    }
    return keys;
  }

  /** Where each key lands; null entries (empty ring) are kept as null. */
  static <N> List<N> placement(ConsistentHash<N> ring, List<String> keys) {
    List<N> owners = new ArrayList<>(keys.size());
    for (String key : keys) {
      owners.add(ring.getNode(key));
    }
    return owners;
  }

  /** The seed's Level 2 test cases, one for one. */
  @Nested
  class SeedLevel2 {

    private final ConsistentHash<String> ch = new ConsistentHash<>(SERVERS);

    @Test
    void sameKeyAlwaysMapsToSameNode() {
      assertThat(ch.getNode("user:123")).isEqualTo(ch.getNode("user:123")).isIn(SERVERS);
    }

    @Test
    void distributionIsRoughlyEven() {
      Map<String, Integer> dist = new HashMap<>();
      for (int i = 0; i < 10_000; i++) {
        String node = ch.getNode("key:" + i);
        dist.merge(Objects.requireNonNull(node), 1, Integer::sum);
      }
      assertThat(dist).containsOnlyKeys(SERVERS);
      for (int count : dist.values()) {
        assertThat(count).isStrictlyBetween(2500, 4500);
      }
    }

    @Test
    void addingANodeMovesFewerThan350Of1000Keys() {
      Map<String, String> before = new HashMap<>();
      for (int i = 0; i < 1000; i++) {
        before.put("key:" + i, ch.getNode("key:" + i));
      }
      ch.addNode("server4");
      Map<String, String> after = new HashMap<>();
      for (int i = 0; i < 1000; i++) {
        after.put("key:" + i, ch.getNode("key:" + i));
      }
      long moved =
          before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).count();
      assertThat(moved).isLessThan(350);
      // Beyond the seed: what moved, moved onto the new node, and something did move.
      assertThat(moved).isPositive();
      before.keySet().stream()
          .filter(k -> !before.get(k).equals(after.get(k)))
          .forEach(k -> assertThat(after.get(k)).as(k).isEqualTo("server4"));
    }

    @Test
    void removingANodeStillAnswers() {
      ch.addNode("server4");
      ch.removeNode("server2");
      assertThat(ch.getNode("user:123")).isNotNull().isNotEqualTo("server2");
    }
  }

  @Nested
  class Basics {

    @Test
    void emptyRingReturnsNull() {
      assertThat(new ConsistentHash<String>().getNode("user:123")).isNull();
      assertThat(new ConsistentHash<String>(List.of()).getNode("user:123")).isNull();
      assertThat(new ConsistentHash<String>(List.of(), 10).getNode("")).isNull();
    }

    @Test
    void ringEmptiedByRemovalReturnsNull() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("a"));
      assertThat(ring.getNode("k")).isEqualTo("a");
      ring.removeNode("a");
      assertThat(ring.getNode("k")).isNull();
      assertThat(ring.size()).isZero();
      assertThat(ring.nodes()).isEmpty();
    }

    @Test
    void singleNodeOwnsEveryKey() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("only"), 1);
      for (String key : keys("k", 1000)) {
        assertThat(ring.getNode(key)).isEqualTo("only");
      }
    }

    @Test
    void distributionListsEveryNodeIncludingZerosAndSumsToTheKeyCount() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      List<String> keys = keys("key:", 10_000);

      Map<String, Integer> dist = ring.getDistribution(keys);

      assertThat(dist).containsOnlyKeys(SERVERS);
      assertThat(dist.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
      assertThat(new ArrayList<>(dist.keySet())).as("name order").isEqualTo(SERVERS);
      for (String node : SERVERS) {
        long owned = keys.stream().filter(k -> node.equals(ring.getNode(k))).count();
        assertThat(dist.get(node)).as(node).isEqualTo((int) owned);
      }

      assertThat(ring.getDistribution(List.of()))
          .containsExactly(
              Map.entry("server1", 0), Map.entry("server2", 0), Map.entry("server3", 0));
      assertThat(new ConsistentHash<String>().getDistribution(keys)).isEmpty();
    }

    @Test
    void distributionIsUnmodifiable() {
      Map<String, Integer> dist = new ConsistentHash<>(SERVERS).getDistribution(List.of("k"));
      assertThatThrownBy(() -> dist.put("server1", 7))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void distributionCountsAKeyAsOftenAsItIsGiven() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      String owner = ring.getNode("user:123");
      assertThat(ring.getDistribution(List.of("user:123", "user:123", "user:123")))
          .containsEntry(Objects.requireNonNull(owner), 3);
    }

    @Test
    void nodesSizeAndVirtualNodesDescribeTheRing() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("c", "a", "b"), 40);
      assertThat(ring.nodes()).containsExactly("a", "b", "c");
      assertThat(ring.size()).isEqualTo(3);
      assertThat(ring.virtualNodes()).isEqualTo(40);
      assertThat(new ConsistentHash<String>().virtualNodes())
          .isEqualTo(ConsistentHash.DEFAULT_VIRTUAL_NODES)
          .isEqualTo(150);
      assertThat(new ConsistentHash<>(SERVERS).virtualNodes()).isEqualTo(150);
      assertThat(ring.toString()).contains("a", "b", "c", "virtualNodes=40");

      ring.addNode("d");
      assertThat(ring.nodes()).containsExactly("a", "b", "c", "d");
      assertThat(ring.size()).isEqualTo(4);
      ring.removeNode("b");
      assertThat(ring.nodes()).containsExactly("a", "c", "d");
      assertThat(ring.size()).isEqualTo(3);
    }

    @Test
    void nodesIsAnUnmodifiableSnapshot() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      List<String> nodes = ring.nodes();
      ring.addNode("server4");
      assertThat(nodes).containsExactlyElementsOf(SERVERS);
      assertThatThrownBy(() -> nodes.add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void duplicatesInTheConstructorCountOnce() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("a", "b", "a", "b", "c"));
      assertThat(ring.nodes()).containsExactly("a", "b", "c");
      assertThat(placement(ring, keys("k", 2000)))
          .isEqualTo(placement(new ConsistentHash<>(List.of("a", "b", "c")), keys("k", 2000)));
    }

    @Test
    void addingANodeTwiceIsANoOp() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      List<String> keys = keys("key:", 2000);
      List<String> before = placement(ring, keys);

      ring.addNode("server2");
      ring.addNode("server2");

      assertThat(ring.size()).isEqualTo(3);
      assertThat(ring.nodes()).isEqualTo(SERVERS);
      assertThat(placement(ring, keys)).isEqualTo(before);
    }

    @Test
    void removingAnAbsentNodeIsANoOp() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      List<String> keys = keys("key:", 2000);
      List<String> before = placement(ring, keys);

      ring.removeNode("server9");
      ring.removeNode("server2");
      ring.removeNode("server2");

      assertThat(ring.nodes()).containsExactly("server1", "server3");
      ConsistentHash<String> expected = new ConsistentHash<>(List.of("server1", "server3"));
      assertThat(placement(ring, keys)).isEqualTo(placement(expected, keys));
      assertThat(before).isNotEqualTo(placement(ring, keys));
    }

    @Test
    void addThenRemoveRestoresThePlacementExactly() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      List<String> keys = keys("key:", 5000);
      List<String> before = placement(ring, keys);
      ring.addNode("server4");
      ring.removeNode("server4");
      assertThat(placement(ring, keys)).isEqualTo(before);
    }

    @Test
    void placementDependsOnTheVirtualNodeCount() {
      List<String> keys = keys("key:", 1000);
      assertThat(placement(new ConsistentHash<>(SERVERS, 150), keys))
          .isNotEqualTo(placement(new ConsistentHash<>(SERVERS, 149), keys));
    }

    @Test
    void acceptsTheVirtualNodeBounds() {
      assertThat(new ConsistentHash<>(List.of("a", "b"), 1).getNode("k")).isIn("a", "b");
      ConsistentHash<String> max =
          new ConsistentHash<>(List.of("a"), ConsistentHash.MAX_VIRTUAL_NODES);
      assertThat(max.virtualNodes()).isEqualTo(65_536);
      assertThat(max.getNode("k")).isEqualTo("a");
    }

    @Test
    void addingADifferentNodeWithATakenNameThrowsNamingIt() {
      ConsistentHash<Object> ring = new ConsistentHash<>(List.of("1", "2"));
      List<Object> before = placement(ring, keys("k", 500));

      assertThatThrownBy(() -> ring.addNode(1)) // Integer 1 is named "1", like the String "1"
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node: 1 (expected: a unique name")
          .hasMessageContaining("already named 1");

      assertThat(ring.nodes()).containsExactly("1", "2");
      assertThat(placement(ring, keys("k", 500))).isEqualTo(before);
    }

    @Test
    void constructorRejectsTwoDifferentNodesWithOneName() {
      Backend first = new Backend("a", "10.0.0.1");
      Backend second = new Backend("a", "10.0.0.2");
      assertThatThrownBy(() -> new ConsistentHash<>(List.of(first, second)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node: " + second)
          .hasMessageContaining("unique name")
          .hasMessageContaining(first + " is already named a");
    }
  }

  /** A node that names itself; its toString() differs from its id on purpose. */
  record Backend(String id, String host) implements Identified {}

  /** A node type with Object's toString(): a name that differs in every process. */
  static final class Opaque {
    final String label;

    Opaque(String label) {
      this.label = label;
    }
  }

  enum Zone {
    EAST,
    WEST,
    NORTH
  }

  @Nested
  class NodeTypes {

    @Test
    void identifiedNodeIsPlacedByItsId() {
      List<Backend> backends =
          List.of(
              new Backend("a", "10.0.0.1"), new Backend("b", "10.0.0.2"), new Backend("c", "x"));
      ConsistentHash<Backend> byId = new ConsistentHash<>(backends);
      ConsistentHash<String> byString = new ConsistentHash<>(List.of("a", "b", "c"));

      for (String key : keys("key:", 5000)) {
        Backend owner = Objects.requireNonNull(byId.getNode(key));
        assertThat(owner.id()).as(key).isEqualTo(byString.getNode(key));
      }
      assertThat(byId.nodes()).containsExactlyElementsOf(backends);
    }

    @Test
    void identifiedNodeIsRemovedByItsId() {
      ConsistentHash<Backend> ring =
          new ConsistentHash<>(List.of(new Backend("a", "h1"), new Backend("b", "h2")));
      ring.removeNode(new Backend("a", "h1"));
      assertThat(ring.nodes()).containsExactly(new Backend("b", "h2"));
    }

    @Test
    void nodeTypeWithoutItsOwnToStringIsRejectedNamingTheClass() {
      assertThatThrownBy(() -> new ConsistentHash<>(List.of(new Opaque("a"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Opaque.class.getName())
          .hasMessageContaining("nodeName function");

      ConsistentHash<Opaque> ring = new ConsistentHash<>();
      assertThatThrownBy(() -> ring.addNode(new Opaque("b")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Opaque.class.getName());
      assertThat(ring.size()).isZero();
    }

    @Test
    void nodeNameFunctionNamesAnyType() {
      Opaque a = new Opaque("a");
      Opaque b = new Opaque("b");
      Opaque c = new Opaque("c");
      ConsistentHash<Opaque> ring = new ConsistentHash<>(List.of(c, a, b), 150, o -> o.label);
      ConsistentHash<String> strings = new ConsistentHash<>(List.of("a", "b", "c"));

      for (String key : keys("key:", 5000)) {
        Opaque owner = Objects.requireNonNull(ring.getNode(key));
        assertThat(owner.label).as(key).isEqualTo(strings.getNode(key));
      }
      assertThat(ring.nodes()).containsExactly(a, b, c);

      ring.removeNode(b);
      assertThat(ring.nodes()).containsExactly(a, c);
      ring.addNode(b);
      assertThat(ring.nodes()).containsExactly(a, b, c);
    }

    @Test
    void nodeNameFunctionMustGiveANonEmptyName() {
      Function<String, String> empty = s -> "";
      assertThatThrownBy(() -> new ConsistentHash<>(List.of("a"), 10, empty))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node: a (expected: a non-empty stable name");
      assertThatThrownBy(() -> new ConsistentHash<>(List.of(new Backend("", "h"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("non-empty stable name");
    }

    @Test
    void boxedNumbersEnumsAndUuidsAreNamedByToString() {
      assertThat(placement(new ConsistentHash<>(List.of(1, 2, 3)), keys("k", 2000)))
          .map(String::valueOf)
          .isEqualTo(
              placement(new ConsistentHash<>(List.of("1", "2", "3")), keys("k", 2000)).stream()
                  .map(String::valueOf)
                  .toList());

      ConsistentHash<Zone> zones = new ConsistentHash<>(List.of(Zone.values()));
      ConsistentHash<String> zoneNames = new ConsistentHash<>(List.of("EAST", "WEST", "NORTH"));
      UUID u1 = new UUID(1, 2);
      UUID u2 = new UUID(3, 4);
      ConsistentHash<UUID> uuids = new ConsistentHash<>(List.of(u1, u2));
      ConsistentHash<String> uuidNames =
          new ConsistentHash<>(List.of(u1.toString(), u2.toString()));
      for (String key : keys("k", 2000)) {
        assertThat(String.valueOf(zones.getNode(key))).isEqualTo(zoneNames.getNode(key));
        assertThat(String.valueOf(uuids.getNode(key))).isEqualTo(uuidNames.getNode(key));
      }
    }
  }

  @Nested
  class EligibleLookup {

    private final List<String> keys = keys("key:", 3000);

    @Test
    void withEveryNodeEligibleEqualsGetNode() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("a", "b", "c", "d", "e"));
      for (String key : keys) {
        assertThat(ring.getNode(key, n -> true)).as(key).isEqualTo(ring.getNode(key));
      }
    }

    @Test
    void withTheOwnerIneligibleReturnsTheNextNodeTheSameWhateverTheBuildOrder() {
      List<String> nodes = List.of("a", "b", "c", "d", "e");
      ConsistentHash<String> ring = new ConsistentHash<>(nodes);
      ConsistentHash<String> reversed = new ConsistentHash<>(List.of("e", "d", "c", "b", "a"));
      ConsistentHash<String> grown = new ConsistentHash<>();
      for (String n : List.of("c", "a", "e", "b", "d")) {
        grown.addNode(n);
      }
      // The fallback is where the key would go if its owner were removed from the ring.
      Map<String, ConsistentHash<String>> without = new HashMap<>();
      for (String n : nodes) {
        List<String> rest = new ArrayList<>(nodes);
        rest.remove(n);
        without.put(n, new ConsistentHash<>(rest));
      }
      Set<String> fallbacks = new HashSet<>();

      for (String key : keys) {
        String owner = Objects.requireNonNull(ring.getNode(key));
        Predicate<String> notOwner = n -> !n.equals(owner);

        String fallback = ring.getNode(key, notOwner);

        assertThat(fallback).as(key).isNotNull().isNotEqualTo(owner).isIn(nodes);
        assertThat(reversed.getNode(key, notOwner)).as(key).isEqualTo(fallback);
        assertThat(grown.getNode(key, notOwner)).as(key).isEqualTo(fallback);
        assertThat(fallback).as(key).isEqualTo(without.get(owner).getNode(key));
        fallbacks.add(fallback);
      }
      assertThat(fallbacks).containsExactlyInAnyOrderElementsOf(nodes);
    }

    @Test
    void returnsNullWhenNoNodeIsEligible() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      for (String key : keys.subList(0, 100)) {
        assertThat(ring.getNode(key, n -> false)).isNull();
      }
      assertThat(new ConsistentHash<String>().getNode("k", n -> true)).isNull();
    }

    @Test
    void aKeyReturnsToItsOwnerOnceTheOwnerIsEligibleAgain() {
      ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);
      Set<String> down = ConcurrentHashMap.newKeySet();
      Predicate<String> up = n -> !down.contains(n);
      for (String key : keys.subList(0, 300)) {
        String owner = Objects.requireNonNull(ring.getNode(key));
        assertThat(ring.getNode(key, up)).isEqualTo(owner);

        down.add(owner);
        String fallback = ring.getNode(key, up);
        assertThat(fallback).isNotNull().isNotEqualTo(owner);

        down.remove(owner);
        assertThat(ring.getNode(key, up)).as(key).isEqualTo(owner);
      }
    }

    @Test
    void onlyEligibleNodesAreReturned() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("a", "b", "c", "d", "e"));
      Set<String> allowed = Set.of("b", "d");
      for (String key : keys) {
        assertThat(ring.getNode(key, allowed::contains)).as(key).isIn("b", "d", null);
      }
    }

    /*
     * Regression tests for a walk that counted rejections instead of distinct rejected nodes: with
     * points ... a b a c ... and only c eligible, a, b, a used up the three "rejections" and it
     * returned null although c was eligible (about 1,983 of these 10,000 keys did).
     */

    @Test
    void returnsAnEligibleNodeWheneverOneExists() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("a", "b", "c"));
      for (String key : keys("key-", 10_000)) {
        assertThat(ring.getNode(key, "c"::equals)).as(key).isEqualTo("c");
      }
    }

    /*
     * A main-code bug this test found (fixed in ConsistentHash.walk): a key past the last point of
     * its bucket is owned through the bucket's sentinel; the walk then started at the sentinel, met
     * the owner's point again as its first step and stopped one point short of the full circle. With
     * one point per node, the node of the point just before the key was never asked: a key whose
     * only eligible node was that one got null.
     */
    @Test
    void withOnePointPerNodeEachNodeIsFoundFromEveryKeyWhenItAloneIsEligible() {
      List<String> nodes = List.of("a", "b", "c", "d", "e");
      for (int virtualNodes : new int[] {1, 2}) {
        ConsistentHash<String> ring = new ConsistentHash<>(nodes, virtualNodes);
        for (String key : keys("key-", 2_000)) {
          for (String only : nodes) {
            assertThat(ring.getNode(key, only::equals))
                .as("%s with only %s eligible, %d virtual nodes", key, only, virtualNodes)
                .isEqualTo(only);
          }
        }
      }
    }

    @Test
    void asksThePredicateAtMostOnceAboutEachNode() {
      ConsistentHash<String> ring = new ConsistentHash<>(List.of("a", "b", "c", "d"));
      for (String key : keys) {
        Map<String, Integer> asked = new HashMap<>();
        ring.getNode(
            key,
            n -> {
              asked.merge(n, 1, Integer::sum);
              return n.equals("d");
            });
        assertThat(asked.values()).as(key).allMatch(count -> count == 1);
      }
    }
  }

  /** Every public constructor and method rejects bad arguments at once, naming them. */
  @Nested
  @SuppressWarnings("NullAway") // passes null where the API forbids it, on purpose
  class BadInput {

    private final ConsistentHash<String> ring = new ConsistentHash<>(SERVERS);

    @Test
    void virtualNodesOutsideOneTo65536IsRejectedWithTheValue() {
      for (int bad : new int[] {0, -1, 65_537, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
        String expected = "virtualNodes: " + bad + " (expected: 1..65536)";
        assertThatThrownBy(() -> new ConsistentHash<>(SERVERS, bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(expected);
        assertThatThrownBy(() -> new ConsistentHash<>(SERVERS, bad, Function.identity()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(expected);
        assertThatThrownBy(() -> new ConsistentHash<String>(List.of(), bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("virtualNodes: " + bad + " (expected:");
      }
    }

    @Test
    void nullNodesCollectionIsRejected() {
      Collection<String> none = null;
      assertThatThrownBy(() -> new ConsistentHash<>(none))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodes");
      assertThatThrownBy(() -> new ConsistentHash<>(none, 150))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodes");
      assertThatThrownBy(() -> new ConsistentHash<>(none, 150, Function.identity()))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodes");
    }

    @Test
    void nullNodeElementIsRejected() {
      List<String> withNull = Arrays.asList("a", null, "c");
      assertThatThrownBy(() -> new ConsistentHash<>(withNull))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
      assertThatThrownBy(() -> new ConsistentHash<>(withNull, 150))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
      assertThatThrownBy(() -> new ConsistentHash<>(withNull, 150, Function.identity()))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
    }

    @Test
    void nullNodeNameFunctionIsRejected() {
      Function<String, String> none = null;
      assertThatThrownBy(() -> new ConsistentHash<>(SERVERS, 150, none))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("nodeName");
    }

    @Test
    void nullNodeNameIsRejected() {
      Function<String, String> nullName = s -> null;
      assertThatThrownBy(() -> new ConsistentHash<>(SERVERS, 150, nullName))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node: server1 (expected: a non-empty stable name, got null)");
    }

    @Test
    void nullNodeIsRejectedByAddAndRemove() {
      assertThatThrownBy(() -> ring.addNode(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
      assertThatThrownBy(() -> ring.removeNode(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("node");
      assertThat(ring.nodes()).isEqualTo(SERVERS);
    }

    @Test
    void nullKeyIsRejected() {
      assertThatThrownBy(() -> ring.getNode(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> ring.getNode(null, n -> true))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> new ConsistentHash<String>().getNode(null))
          .as("even on an empty ring")
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> new ConsistentHash<String>().getNode(null, n -> true))
          .as("even on an empty ring")
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
    }

    @Test
    void nullPredicateIsRejected() {
      assertThatThrownBy(() -> ring.getNode("k", null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("eligible");
      assertThatThrownBy(() -> new ConsistentHash<String>().getNode("k", null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("eligible");
    }

    @Test
    void nullKeysIterableIsRejected() {
      assertThatThrownBy(() -> ring.getDistribution(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("keys");
    }

    @Test
    void nullKeyAmongKeysIsRejected() {
      assertThatThrownBy(() -> ring.getDistribution(Arrays.asList("a", null)))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(
              () -> new ConsistentHash<String>().getDistribution(Arrays.asList("a", null)))
          .as("even on an empty ring")
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
    }
  }
}
