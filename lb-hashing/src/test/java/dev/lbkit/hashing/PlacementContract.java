package dev.lbkit.hashing;

import static dev.lbkit.hashing.Placements.keys;
import static dev.lbkit.hashing.Placements.placement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The {@link Placement} contract, written against the interface alone: every implementation runs it
 * through a subclass that says how to build one (see {@link PlacementContractTest}).
 */
abstract class PlacementContract {

  private static final List<String> NODES = List.of("b", "c", "d");
  private final List<String> keys = keys("key:", 3000);

  /** Builds the implementation under test over {@code nodes}. */
  abstract <N> Placement<N> create(Collection<N> nodes);

  @Test
  void emptyPlacementReturnsNullAndAnEmptyDistribution() {
    Placement<String> empty = create(List.of());
    assertThat(empty.getNode("user:123")).isNull();
    assertThat(empty.getNode("")).isNull();
    assertThat(empty.size()).isZero();
    assertThat(empty.nodes()).isEmpty();
    assertThat(empty.getDistribution(keys)).isEmpty();

    Placement<String> emptied = create(List.of("a"));
    emptied.removeNode("a");
    assertThat(emptied.getNode("user:123")).isNull();
  }

  @Test
  void aKeyAlwaysGoesToTheSameMember() {
    Placement<String> placement = create(NODES);
    for (String key : keys) {
      assertThat(placement.getNode(key)).as(key).isIn(NODES).isEqualTo(placement.getNode(key));
    }
    assertThat(placement(create(List.of("d", "b", "c")), keys))
        .isEqualTo(placement(placement, keys));
  }

  @Test
  void nodesAndSizeDescribeTheMembershipInNameOrder() {
    Placement<String> placement = create(List.of("d", "b", "c", "b"));
    assertThat(placement.nodes()).containsExactly("b", "c", "d");
    assertThat(placement.size()).isEqualTo(3);
    List<String> snapshot = placement.nodes();
    placement.addNode("a");
    assertThat(placement.nodes()).containsExactly("a", "b", "c", "d");
    placement.removeNode("c");
    assertThat(placement.nodes()).containsExactly("a", "b", "d");
    assertThat(placement.size()).isEqualTo(3);
    assertThat(snapshot).containsExactly("b", "c", "d");
    assertThatThrownBy(() -> snapshot.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void distributionListsEveryNodeInNameOrderAndSumsToTheKeyCount() {
    Placement<String> placement = create(List.of("d", "c", "b"));
    Map<String, Integer> dist = placement.getDistribution(keys);
    assertThat(new ArrayList<>(dist.keySet())).isEqualTo(NODES);
    assertThat(dist.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(keys.size());
    for (String node : NODES) {
      assertThat(dist.get(node))
          .as(node)
          .isEqualTo((int) keys.stream().filter(k -> node.equals(placement.getNode(k))).count());
    }
    assertThat(placement.getDistribution(List.of()))
        .containsExactly(Map.entry("b", 0), Map.entry("c", 0), Map.entry("d", 0));
    String owner = Objects.requireNonNull(placement.getNode("user:123"));
    Map<String, Integer> repeated = placement.getDistribution(List.of("user:123", "user:123"));
    assertThat(repeated).hasSize(3).containsEntry(owner, 2);
    assertThat(repeated.values()).containsOnly(0, 2);
    assertThatThrownBy(() -> dist.put("b", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void addingAPresentNodeAndRemovingAnAbsentOneChangeNothing() {
    Placement<String> placement = create(NODES);
    List<String> before = placement(placement, keys);
    placement.addNode("c");
    placement.removeNode("z");
    assertThat(placement.nodes()).isEqualTo(NODES);
    assertThat(placement(placement, keys)).isEqualTo(before);
  }

  @Test
  void addThenRemoveRestoresThePlacement() {
    Placement<String> placement = create(NODES);
    List<String> before = placement(placement, keys);
    placement.addNode("e");
    List<String> with = placement(placement, keys);
    assertThat(with).contains("e");
    placement.removeNode("e");
    assertThat(placement(placement, keys)).isEqualTo(before);

    placement.removeNode("c");
    assertThat(placement(placement, keys)).doesNotContain("c").containsOnly("b", "d");
  }

  @Test
  void placementDependsOnlyOnTheNodeSet() {
    Placement<String> built = create(List.of("a", "b", "c", "d", "e"));
    Placement<String> grown = create(List.of());
    for (String node : List.of("e", "x", "c", "a", "d", "b")) {
      grown.addNode(node);
    }
    grown.removeNode("x");
    assertThat(placement(grown, keys)).isEqualTo(placement(built, keys));
  }

  @Test
  void aDifferentNodeWithATakenNameIsRejected() {
    Placement<Object> placement = create(List.<Object>of("1", "2"));
    List<Object> before = placement(placement, keys);
    assertThatThrownBy(() -> placement.addNode(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node: 1 (expected: a unique name");
    assertThat(placement.nodes()).containsExactly("1", "2");
    assertThat(placement(placement, keys)).isEqualTo(before);
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void nullArgumentsAreRejectedNamingThem() {
    Placement<String> placement = create(NODES);
    assertThatThrownBy(() -> placement.getNode(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> placement.addNode(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("node");
    assertThatThrownBy(() -> placement.removeNode(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("node");
    assertThatThrownBy(() -> placement.getDistribution(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("keys");
    assertThatThrownBy(() -> placement.getDistribution(Arrays.asList("k", null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("nodes");
    assertThat(placement.nodes()).isEqualTo(NODES);
  }

  /**
   * getDistribution is one lookup over many keys: like getNode, it must see the placement before a
   * membership change or after it, never both. The keys' iterator makes the change itself, half way
   * through (a deterministic stand-in for a concurrent writer): the result must be the distribution
   * of one snapshot, in its name order.
   */
  @Test
  void distributionIsCountedAgainstOneSnapshot() {
    for (boolean adding : new boolean[] {true, false}) {
      Placement<String> placement = create(NODES);
      Map<String, Integer> old = create(NODES).getDistribution(keys);
      Placement<String> twin = create(NODES); // the same change, made alone (Memento has a memory)
      if (adding) {
        twin.addNode("a");
      } else {
        twin.removeNode("c");
      }
      Map<String, Integer> changed = twin.getDistribution(keys);

      Iterable<String> changingMidway =
          () ->
              new Iterator<>() {
                private int i;

                @Override
                public boolean hasNext() {
                  return i < keys.size();
                }

                @Override
                public String next() {
                  if (i == keys.size() / 2) {
                    if (adding) {
                      placement.addNode("a");
                    } else {
                      placement.removeNode("c");
                    }
                  }
                  return keys.get(i++);
                }
              };
      Map<String, Integer> dist = placement.getDistribution(changingMidway);

      assertThat(Objects.equals(dist, old) || Objects.equals(dist, changed))
          .as(
              "%s node midway: %s is neither the old distribution %s nor the new %s",
              adding ? "adding a" : "removing c", dist, old, changed)
          .isTrue();
      assertThat(new ArrayList<>(dist.keySet())).as("name order").isSorted();
    }
  }
}
