package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of named, weighted nodes in name order: the membership a placement is built
 * from. Names are unique; the order by name is what makes a placement independent of insertion
 * order.
 *
 * @param <N> the node type
 */
final class NodeSet<N> {

  /** A node and its weight. */
  private static final class Member<N> {
    final N node;
    final int weight;

    Member(N node, int weight) {
      this.node = node;
      this.weight = weight;
    }
  }

  private final SortedMap<String, Member<N>> byName;
  private final List<N> nodes;
  private final List<String> names;
  private final int[] weights;
  private final boolean weighted;

  private NodeSet(SortedMap<String, Member<N>> byName) {
    this.byName = byName;
    List<N> nodeList = new ArrayList<>(byName.size());
    this.weights = new int[byName.size()];
    int i = 0;
    boolean anyWeight = false;
    for (Member<N> member : byName.values()) {
      nodeList.add(member.node);
      weights[i++] = member.weight;
      anyWeight |= member.weight != 1;
    }
    this.nodes = Collections.unmodifiableList(nodeList);
    this.names = Collections.unmodifiableList(new ArrayList<>(byName.keySet()));
    this.weighted = anyWeight;
  }

  /** Names and orders {@code nodes}, each of weight 1, rejecting nulls and shared names. */
  static <N> NodeSet<N> of(Collection<N> nodes, Function<? super N, String> nodeName) {
    return of(nodes, nodeName, node -> 1);
  }

  /** Names, weighs and orders {@code nodes}, rejecting nulls, shared names and bad weights. */
  static <N> NodeSet<N> of(
      Collection<N> nodes, Function<? super N, String> nodeName, ToIntFunction<? super N> weight) {
    Objects.requireNonNull(nodes, "nodes");
    Objects.requireNonNull(weight, "weight");
    TreeMap<String, Member<N>> byName = new TreeMap<>();
    for (N node : nodes) {
      Objects.requireNonNull(node, "node");
      int w = weight.applyAsInt(node);
      checkWeight(w);
      put(byName, NodeNames.nameOf(nodeName, node), node, w);
    }
    return new NodeSet<>(byName);
  }

  /** Returns this set with {@code node} named {@code name}; this set itself if already present. */
  NodeSet<N> with(N node, String name) {
    Member<N> present = byName.get(name);
    return present != null && present.node.equals(node) ? this : with(node, name, 1);
  }

  /**
   * Returns this set with {@code node} named {@code name} of {@code weight}, adding it or changing
   * its weight; this set itself if nothing changes.
   */
  NodeSet<N> with(N node, String name, int weight) {
    checkWeight(weight);
    Member<N> present = byName.get(name);
    if (present != null && present.node.equals(node) && present.weight == weight) {
      return this;
    }
    TreeMap<String, Member<N>> copy = new TreeMap<>(byName);
    if (present != null && present.node.equals(node)) {
      copy.remove(name);
    }
    put(copy, name, node, weight);
    return new NodeSet<>(copy);
  }

  /** Returns this set without the node named {@code name}; this set itself if absent. */
  NodeSet<N> without(String name) {
    if (!byName.containsKey(name)) {
      return this;
    }
    TreeMap<String, Member<N>> copy = new TreeMap<>(byName);
    copy.remove(name);
    return new NodeSet<>(copy);
  }

  /** Returns the nodes in name order. */
  List<N> nodes() {
    return nodes;
  }

  /** Returns the names, in the same order as {@link #nodes()}. */
  List<String> names() {
    return names;
  }

  /** Returns the weight of the {@code i}-th node in name order. */
  int weight(int i) {
    return weights[i];
  }

  /** Returns the weight of the node named {@code name}, or 0 if absent. */
  int weight(String name) {
    Member<N> member = byName.get(name);
    return member == null ? 0 : member.weight;
  }

  /** Returns whether any node has a weight other than 1. */
  boolean weighted() {
    return weighted;
  }

  int size() {
    return nodes.size();
  }

  @Nullable N get(String name) {
    Member<N> member = byName.get(name);
    return member == null ? null : member.node;
  }

  static void checkWeight(int weight) {
    if (weight < 1 || weight > Placement.MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "weight: " + weight + " (expected: 1.." + Placement.MAX_WEIGHT + ")");
    }
  }

  private static <N> void put(Map<String, Member<N>> byName, String name, N node, int weight) {
    Member<N> previous = byName.putIfAbsent(name, new Member<>(node, weight));
    if (previous != null && !previous.node.equals(node)) {
      throw new IllegalArgumentException(
          "node: "
              + node
              + " (expected: a unique name; "
              + previous.node
              + " is already named "
              + name
              + ")");
    }
  }
}
