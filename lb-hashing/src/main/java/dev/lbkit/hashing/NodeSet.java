package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of named nodes in name order: the membership a placement is built from. Names
 * are unique; the order by name is what makes a placement independent of insertion order.
 *
 * @param <N> the node type
 */
final class NodeSet<N> {

  private final SortedMap<String, N> byName;
  private final List<N> nodes;
  private final List<String> names;

  private NodeSet(SortedMap<String, N> byName) {
    this.byName = byName;
    this.nodes = Collections.unmodifiableList(new ArrayList<>(byName.values()));
    this.names = Collections.unmodifiableList(new ArrayList<>(byName.keySet()));
  }

  /** Names and orders {@code nodes}, rejecting nulls and distinct nodes that share a name. */
  static <N> NodeSet<N> of(Collection<N> nodes, Function<? super N, String> nodeName) {
    Objects.requireNonNull(nodes, "nodes");
    TreeMap<String, N> byName = new TreeMap<>();
    for (N node : nodes) {
      Objects.requireNonNull(node, "node");
      put(byName, NodeNames.nameOf(nodeName, node), node);
    }
    return new NodeSet<>(byName);
  }

  /** Returns this set with {@code node} named {@code name}; this set itself if already present. */
  NodeSet<N> with(N node, String name) {
    N present = byName.get(name);
    if (present != null && present.equals(node)) {
      return this;
    }
    TreeMap<String, N> copy = new TreeMap<>(byName);
    put(copy, name, node);
    return new NodeSet<>(copy);
  }

  /** Returns this set without the node named {@code name}; this set itself if absent. */
  NodeSet<N> without(String name) {
    if (!byName.containsKey(name)) {
      return this;
    }
    TreeMap<String, N> copy = new TreeMap<>(byName);
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

  int size() {
    return nodes.size();
  }

  @Nullable N get(String name) {
    return byName.get(name);
  }

  private static <N> void put(SortedMap<String, N> byName, String name, N node) {
    N previous = byName.putIfAbsent(name, node);
    if (previous != null && !previous.equals(node)) {
      throw new IllegalArgumentException(
          "node: "
              + node
              + " (expected: a unique name; "
              + previous
              + " is already named "
              + name
              + ")");
    }
  }
}
