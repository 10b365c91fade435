package dev.lbkit.hashing;

import static dev.lbkit.hashing.Placements.placement;
import static dev.lbkit.hashing.WeightedPlacements.assertNullRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.hashing.WeightedPlacements.ForEachCheapKind;
import dev.lbkit.hashing.WeightedPlacements.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bad input to the weighted API and the Maglev table size, across placements: rejected at once,
 * with a message that names the argument and its value, and without changing the placement.
 */
@SuppressWarnings("NullAway") // passes null where the API forbids it, on purpose
class PlacementBadInputTest {

  private static final List<String> NODES = List.of("a", "b", "c");
  private static final List<String> KEYS = Placements.keys("key-", 500);

  /** Every placement kind, and BoundedLoad over each, as the placement under test. */
  private static Placement<String> create(Kind kind, boolean bounded) {
    Placement<String> placement = kind.create(NODES);
    return bounded ? new BoundedLoad<>(placement, node -> 0) : placement;
  }

  @ForEachCheapKind
  void aWeightBelowOneOrAboveMaxWeightIsRejectedWithItsValue(Kind kind) {
    for (boolean bounded : new boolean[] {false, true}) {
      Placement<String> placement = create(kind, bounded);
      placement.addNode("b", 2);
      List<String> before = placement(placement, KEYS);
      for (int bad :
          new int[] {0, -1, Integer.MIN_VALUE, Placement.MAX_WEIGHT + 1, Integer.MAX_VALUE}) {
        String message = "weight: " + bad + " (expected: 1..10000)";
        assertThatThrownBy(() -> placement.addNode("d", bad))
            .as("adding a node")
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
        assertThatThrownBy(() -> placement.addNode("b", bad))
            .as("changing a weight")
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
      }
      assertThat(placement.nodes()).isEqualTo(NODES);
      assertThat(placement.weight("b")).isEqualTo(2);
      assertThat(placement(placement, KEYS)).isEqualTo(before);
      int largest = kind == Kind.RING ? 100 : Placement.MAX_WEIGHT; // the ring: see below
      placement.addNode("d", largest);
      assertThat(placement.weight("d")).isEqualTo(largest);
    }
  }

  @ForEachCheapKind
  void nullKeysNodesAndPredicatesAreRejectedByName(Kind kind) {
    for (boolean bounded : new boolean[] {false, true}) {
      for (Placement<String> placement :
          List.of(create(kind, bounded), kind.<String>create(List.of()))) {
        assertNullRejected(() -> placement.getNode(null), "key");
        assertNullRejected(() -> placement.getNode(null, node -> true), "key");
        assertNullRejected(() -> placement.getNode("k", null), "eligible");
        assertNullRejected(() -> placement.addNode(null, 2), "node");
        assertNullRejected(() -> placement.weight(null), "node");
      }
    }
  }

  /*
   * A ring node has weight x virtualNodes points, at most MAX_POINTS_PER_NODE (2^21). At the
   * default 150 virtual nodes every weight up to MAX_WEIGHT fits (1.5 million points); at 1,000 the
   * largest weight is 2,097. (Rings that large take a second to build: the accepted extremes are
   * checked on rings of few virtual nodes.)
   */
  @Test
  void aRingWeightTimesVirtualNodesAboveMaxPointsPerNodeIsRejected() {
    ConsistentHash<String> ring = new ConsistentHash<>(NODES, 1000);
    List<String> before = placement(ring, KEYS);
    int largest = ConsistentHash.MAX_POINTS_PER_NODE / 1000;
    assertThat(largest).isEqualTo(2097);
    for (String node : List.of("a", "d")) {
      assertThatThrownBy(() -> ring.addNode(node, largest + 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("weight: 2098 (expected: <= 2097 with 1000 virtual nodes)");
    }
    assertThat(ring.nodes()).isEqualTo(NODES);
    assertThat(ring.weight("a")).isEqualTo(1);
    assertThat(placement(ring, KEYS)).isEqualTo(before);

    assertThat((long) Placement.MAX_WEIGHT * ConsistentHash.DEFAULT_VIRTUAL_NODES)
        .isLessThanOrEqualTo(ConsistentHash.MAX_POINTS_PER_NODE);
    ConsistentHash<String> narrow = new ConsistentHash<>(NODES, 1);
    narrow.addNode("d", Placement.MAX_WEIGHT);
    assertThat(narrow.weight("d")).isEqualTo(Placement.MAX_WEIGHT);
    ConsistentHash<String> wide = new ConsistentHash<>(NODES, ConsistentHash.MAX_VIRTUAL_NODES);
    assertThatThrownBy(() -> wide.addNode("a", 33))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight: 33 (expected: <= 32 with 65536 virtual nodes)");
  }

  /*
   * A ring holds at most MAX_POINTS (2^24) points in all, the sum of weight x virtualNodes, about
   * 300 MB: 10^5 nodes of 150 virtual nodes fit (1.5 x 10^7 points). More is rejected before a
   * point is hashed: a ring of 10^6 nodes used to run for 13 s into an OutOfMemoryError.
   */
  @Test
  void aRingOfMoreThanMaxPointsIsRejectedBeforeItIsBuilt() {
    assertThat(ConsistentHash.MAX_POINTS).isEqualTo(1 << 24);
    assertThat(100_000L * ConsistentHash.DEFAULT_VIRTUAL_NODES)
        .isLessThanOrEqualTo(ConsistentHash.MAX_POINTS);

    assertThatThrownBy(() -> new ConsistentHash<>(Placements.keys("node-", 1_000_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "points: 150000000 (expected: <= 16777216 = 2^24 in all, the sum over the nodes of"
                + " weight x virtualNodes; virtualNodes is 150)");
    int oneTooMany = ConsistentHash.MAX_POINTS / 150 + 1; // 111,849 nodes
    assertThatThrownBy(() -> new ConsistentHash<>(Placements.keys("node-", oneTooMany)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("points: 16777350 (expected: <= 16777216 = 2^24 in all");
    List<String> nodes257 = Placements.keys("node-", 257);
    assertThatThrownBy(() -> new ConsistentHash<>(nodes257, ConsistentHash.MAX_VIRTUAL_NODES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("points: 16842752 (expected: <= 16777216 = 2^24 in all");
    // weighted, through PlacementType: 12 nodes of weight 10,000 are 1.8 x 10^7 points
    List<String> twelve = Placements.keys("node-", 12);
    assertThatThrownBy(() -> PlacementType.RING.create(twelve, node -> Placement.MAX_WEIGHT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("points: 18000000 (expected: <= 16777216 = 2^24 in all");
  }

  /**
   * addNode checks the new total too, for a node added or a weight raised, before it hashes the new
   * points; the ring is unchanged. (A ring near 2^24 points is too large for a unit test: this ring
   * has a bound of 45.)
   */
  @Test
  void addNodeOrAWeightBeyondTheRingsPointBoundIsRejectedAndChangesNothing() {
    ConsistentHash<String> ring =
        new ConsistentHash<>(
            NodeSet.of(List.of("a", "b"), s -> s), 10, s -> s, 45, RingIndex.Shape.DEFAULT);
    ring.addNode("c");
    ring.addNode("d"); // 40 points
    List<String> before = placement(ring, KEYS);
    String expected =
        "points: 50 (expected: <= 45 in all, the sum over the nodes of weight x virtualNodes;"
            + " virtualNodes is 10)";
    assertThatThrownBy(() -> ring.addNode("e"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(expected);
    assertThatThrownBy(() -> ring.addNode("e", 1)).hasMessage(expected);
    assertThatThrownBy(() -> ring.addNode("a", 2)).hasMessage(expected);
    assertThat(ring.nodes()).containsExactly("a", "b", "c", "d");
    assertThat(ring.weight("a")).isEqualTo(1);
    assertThat(placement(ring, KEYS)).isEqualTo(before);

    ring.removeNode("d");
    ring.addNode("a", 2); // 40 points again: within the bound
    assertThat(ring.weight("a")).isEqualTo(2);
    ring.checkInvariants();
  }

  /** Not a prime, or a prime above {@link Maglev#MAX_TABLE_SIZE} (67,108,879 is the next one). */
  @Test
  void aMaglevTableSizeThatIsNotAPrimeIsRejectedWithItsValue() {
    for (int bad :
        new int[] {
          Integer.MIN_VALUE, -7, 0, 1, 4, 9, 65_535, 65_536, 1 << 26, 67_108_879, Integer.MAX_VALUE
        }) {
      assertThatThrownBy(() -> new Maglev<>(NODES, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tableSize: " + bad + " (expected: a prime <= 67108864)");
    }
  }

  /** The table must have more slots than there are nodes, whether built or grown that large. */
  @Test
  void aMaglevTableSizeNotLargerThanTheNodeCountIsRejectedWithBoth() {
    List<String> five = List.of("a", "b", "c", "d", "e");
    assertThatThrownBy(() -> new Maglev<>(five, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableSize: 5 (expected: a prime > node count 5)");
    assertThatThrownBy(() -> new Maglev<>(five, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableSize: 3 (expected: a prime > node count 5)");

    Maglev<String> maglev = new Maglev<>(five.subList(0, 4), 5);
    List<String> before = placement(maglev, KEYS);
    assertThatThrownBy(() -> maglev.addNode("e"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableSize: 5 (expected: a prime > node count 5)");
    assertThatThrownBy(() -> maglev.addNode("e", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableSize: 5 (expected: a prime > node count 5)");
    assertThat(maglev.nodes()).isEqualTo(five.subList(0, 4));
    assertThat(placement(maglev, KEYS)).isEqualTo(before);
    maglev.addNode("d", 7); // a weight change adds no node: fine
    assertThat(maglev.weight("d")).isEqualTo(7);
  }
}
