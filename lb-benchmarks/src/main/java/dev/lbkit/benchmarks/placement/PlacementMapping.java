package dev.lbkit.benchmarks.placement;

import dev.lbkit.hashing.Placement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** An lbkit {@link Placement} as a {@link Mapping}: every method goes straight to the placement. */
class PlacementMapping implements Mapping {

  private final Placement<Node> placement;

  PlacementMapping(Placement<Node> placement) {
    this.placement = placement;
  }

  @Override
  public final @Nullable Node owner(String key) {
    return placement.getNode(key);
  }

  @Override
  public final void add(Node node) {
    placement.addNode(node);
  }

  @Override
  public final void remove(Node node) {
    placement.removeNode(node);
  }

  @Override
  public final List<Node> nodes() {
    return placement.nodes();
  }

  /** Returns {@code Placement.getDistribution} of the keys, by node index. */
  @Override
  public final Optional<int[]> reportedCounts(String[] keys, int slots) {
    int[] counts = new int[slots];
    for (Map.Entry<Node, Integer> e : placement.getDistribution(Arrays.asList(keys)).entrySet()) {
      counts[e.getKey().index()] = e.getValue();
    }
    return Optional.of(counts);
  }

  @Override
  public String toString() {
    return placement.toString();
  }
}
