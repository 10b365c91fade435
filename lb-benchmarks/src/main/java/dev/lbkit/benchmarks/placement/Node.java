package dev.lbkit.benchmarks.placement;

import dev.lbkit.hashing.Identified;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node of the report: a stable {@code host:port} name, which the placements hash, and a dense
 * index, which the report counts keys by and the jump hashes use as the bucket number.
 *
 * @param name the name placements hash: {@code 10.0.0.1:8080}, {@code 10.0.0.2:8080}, ...
 * @param index the node's number, from 0; node {@code i} is always named the same
 */
public record Node(String name, int index) implements Identified {

  /** Checks the components. */
  public Node {
    Objects.requireNonNull(name, "name");
    if (index < 0) {
      throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
    }
  }

  /** Returns node {@code i}: {@code 10.0.(i / 250).(i % 250 + 1):8080}. */
  public static Node number(int i) {
    return new Node("10.0." + (i / 250) + "." + (i % 250 + 1) + ":8080", i);
  }

  /** Returns nodes 0 to {@code n - 1}, in index order. */
  public static List<Node> first(int n) {
    List<Node> nodes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      nodes.add(number(i));
    }
    return nodes;
  }

  @Override
  public String id() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
