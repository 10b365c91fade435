package dev.lbkit.benchmarks.placement;

import dev.lbkit.hashing.BoundedLoad;
import dev.lbkit.hashing.Placement;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * {@link BoundedLoad} over a base placement, its loads held in an array by node index. A lookup
 * sees every node at the same standing load (0, or 1 to measure a busy fleet in which no node is
 * full); {@link #assign} starts from that load and adds one unit per key, as {@code
 * BoundedLoad.getDistribution} does, so the owners it returns are the ones whose counts that method
 * reports.
 */
final class BoundedMapping extends PlacementMapping {

  /** Each node's load, by node index; grows when a node with a larger index joins. */
  private static final class Loads {
    private final int standing;
    private int[] loads;

    Loads(int standing, int slots) {
      this.standing = standing;
      this.loads = new int[slots];
      reset();
    }

    int of(Node node) {
      int i = node.index();
      return i < loads.length ? loads[i] : standing;
    }

    void addOne(Node node) {
      int i = node.index();
      if (i >= loads.length) {
        int old = loads.length;
        loads = Arrays.copyOf(loads, Math.max(i + 1, 2 * old));
        Arrays.fill(loads, old, loads.length, standing);
      }
      loads[i]++;
    }

    void reset() {
      Arrays.fill(loads, standing);
    }
  }

  private final BoundedLoad<Node> bounded;
  private final Loads loads;

  private BoundedMapping(BoundedLoad<Node> bounded, Loads loads) {
    super(bounded);
    this.bounded = bounded;
    this.loads = loads;
  }

  /**
   * Bounds {@code base} with {@code balanceFactor}, every node at load {@code standingLoad} between
   * assignments.
   */
  static BoundedMapping over(Placement<Node> base, double balanceFactor, int standingLoad) {
    Loads loads = new Loads(standingLoad, base.size() + 1);
    return new BoundedMapping(new BoundedLoad<>(base, balanceFactor, loads::of), loads);
  }

  /** Assigns the keys one after another, each adding one unit of load to its node. */
  @Override
  public Node[] assign(String[] keys) {
    Node[] owners = new Node[keys.length];
    try {
      for (int k = 0; k < keys.length; k++) {
        Node node = Objects.requireNonNull(bounded.getNode(keys[k]), "no nodes");
        loads.addOne(node);
        owners[k] = node;
      }
    } finally {
      loads.reset();
    }
    return owners;
  }

  @Override
  public OptionalDouble spill(String[] keys, Node[] owners) {
    Placement<Node> base = bounded.base();
    long spilled = 0;
    for (int k = 0; k < keys.length; k++) {
      Node first = Objects.requireNonNull(base.getNode(keys[k]), "no nodes");
      if (first.index() != owners[k].index()) {
        spilled++;
      }
    }
    return OptionalDouble.of(keys.length == 0 ? 0 : (double) spilled / keys.length);
  }
}
