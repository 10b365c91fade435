package dev.lbkit.hashing;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of named, weighted nodes in name order: the membership a placement is built
 * from. Names are unique; the order by name is what makes a placement independent of insertion
 * order.
 *
 * <p>Three parallel arrays sorted by name. A change copies them with one node inserted, removed or
 * reweighted: O(n) element copies and no per-node allocation, where a copied tree map would
 * allocate an entry per node. Finding a name is a binary search, O(log n) string comparisons.
 *
 * @param <N> the node type
 */
final class NodeSet<N> {

  private static final NodeSet<?> EMPTY = new NodeSet<>(new String[0], new Object[0], new int[0]);

  private final String[] names; // sorted, distinct
  private final Object[] nodes; // nodes[i] is named names[i]
  private final int[] weights;
  private final long totalWeight;
  private final int weightedCount; // how many weights are not 1
  private final List<N> nodeList; // unmodifiable views of the arrays, made once per set
  private final List<String> nameList;

  @SuppressWarnings("unchecked") // nodes holds only nodes of type N
  private NodeSet(String[] names, Object[] nodes, int[] weights) {
    this.names = names;
    this.nodes = nodes;
    this.weights = weights;
    long total = 0;
    int notOne = 0;
    for (int w : weights) {
      total += w;
      if (w != 1) {
        notOne++;
      }
    }
    this.totalWeight = total;
    this.weightedCount = notOne;
    this.nodeList = Collections.unmodifiableList(Arrays.asList((N[]) nodes));
    this.nameList = Collections.unmodifiableList(Arrays.asList(names));
  }

  /** Returns the empty set. */
  @SuppressWarnings("unchecked") // holds no node at all
  static <N> NodeSet<N> empty() {
    return (NodeSet<N>) EMPTY;
  }

  /** Names and orders {@code nodes}, each of weight 1, rejecting nulls and shared names. */
  static <N> NodeSet<N> of(Collection<N> nodes, Function<? super N, String> nodeName) {
    return of(nodes, nodeName, node -> 1);
  }

  /**
   * Names, weighs and orders {@code nodes}, rejecting nulls, shared names and bad weights, in
   * iteration order (the first bad node is the one reported). Equal nodes count once, with the
   * weight of the first.
   */
  static <N> NodeSet<N> of(
      Collection<N> nodes, Function<? super N, String> nodeName, ToIntFunction<? super N> weight) {
    Objects.requireNonNull(nodes, "nodes");
    Objects.requireNonNull(weight, "weight");
    Map<String, Integer> byName = new HashMap<>();
    Object[] kept = new Object[nodes.size()];
    String[] keptNames = new String[kept.length];
    int[] keptWeights = new int[kept.length];
    int count = 0;
    for (N node : nodes) {
      Objects.requireNonNull(node, "node");
      int w = weight.applyAsInt(node);
      checkWeight(w);
      String name = NodeNames.nameOf(nodeName, node);
      Integer previous = byName.putIfAbsent(name, count);
      if (previous != null) {
        checkSameNode(kept[previous], node, name);
        continue;
      }
      if (count == kept.length) { // the collection grew while iterated
        kept = Arrays.copyOf(kept, count * 2 + 1);
        keptNames = Arrays.copyOf(keptNames, kept.length);
        keptWeights = Arrays.copyOf(keptWeights, kept.length);
      }
      kept[count] = node;
      keptNames[count] = name;
      keptWeights[count] = w;
      count++;
    }
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    String[] unsorted = keptNames;
    Arrays.sort(order, (a, b) -> unsorted[a].compareTo(unsorted[b]));
    String[] names = new String[count];
    Object[] sorted = new Object[count];
    int[] weights = new int[count];
    for (int i = 0; i < count; i++) {
      names[i] = keptNames[order[i]];
      sorted[i] = kept[order[i]];
      weights[i] = keptWeights[order[i]];
    }
    return new NodeSet<>(names, sorted, weights);
  }

  /** Returns this set with {@code node} named {@code name}; this set itself if already present. */
  NodeSet<N> with(N node, String name) {
    int i = indexOf(name);
    return i >= 0 && nodes[i].equals(node) ? this : with(node, name, 1);
  }

  /**
   * Returns this set with {@code node} named {@code name} of {@code weight}, adding it or changing
   * its weight (and keeping the instance given); this set itself if nothing changes.
   *
   * @throws IllegalArgumentException if a node not equal to {@code node} is named {@code name}
   */
  NodeSet<N> with(N node, String name, int weight) {
    checkWeight(weight);
    int i = indexOf(name);
    if (i >= 0) {
      checkSameNode(nodes[i], node, name);
      if (weights[i] == weight) {
        return this;
      }
      Object[] n = nodes.clone();
      int[] w = weights.clone();
      n[i] = node;
      w[i] = weight;
      return new NodeSet<>(names, n, w);
    }
    int at = -i - 1;
    int size = names.length;
    String[] s = new String[size + 1];
    Object[] n = new Object[size + 1];
    int[] w = new int[size + 1];
    System.arraycopy(names, 0, s, 0, at);
    System.arraycopy(nodes, 0, n, 0, at);
    System.arraycopy(weights, 0, w, 0, at);
    s[at] = name;
    n[at] = node;
    w[at] = weight;
    System.arraycopy(names, at, s, at + 1, size - at);
    System.arraycopy(nodes, at, n, at + 1, size - at);
    System.arraycopy(weights, at, w, at + 1, size - at);
    return new NodeSet<>(s, n, w);
  }

  /** Returns this set without the node named {@code name}; this set itself if absent. */
  NodeSet<N> without(String name) {
    int at = indexOf(name);
    if (at < 0) {
      return this;
    }
    int size = names.length;
    String[] s = new String[size - 1];
    Object[] n = new Object[size - 1];
    int[] w = new int[size - 1];
    System.arraycopy(names, 0, s, 0, at);
    System.arraycopy(nodes, 0, n, 0, at);
    System.arraycopy(weights, 0, w, 0, at);
    System.arraycopy(names, at + 1, s, at, size - at - 1);
    System.arraycopy(nodes, at + 1, n, at, size - at - 1);
    System.arraycopy(weights, at + 1, w, at, size - at - 1);
    return new NodeSet<>(s, n, w);
  }

  /**
   * Returns the index of {@code name} in name order, or {@code -(insertion point) - 1} if absent
   * (as {@link Arrays#binarySearch(Object[], Object)}).
   */
  int indexOf(String name) {
    return Arrays.binarySearch(names, name);
  }

  /** Returns the nodes in name order, as an unmodifiable list that never changes. */
  List<N> nodes() {
    return nodeList;
  }

  /** Returns the names, in the same order as {@link #nodes()}. */
  List<String> names() {
    return nameList;
  }

  /** Returns the {@code i}-th node in name order. */
  @SuppressWarnings("unchecked") // nodes holds only nodes of type N
  N node(int i) {
    return (N) nodes[i];
  }

  /** Returns the {@code i}-th name in name order. */
  String name(int i) {
    return names[i];
  }

  /** Returns the weight of the {@code i}-th node in name order. */
  int weight(int i) {
    return weights[i];
  }

  /** Returns the weight of the node named {@code name}, or 0 if absent. */
  int weight(String name) {
    int i = indexOf(name);
    return i < 0 ? 0 : weights[i];
  }

  /** Returns the sum of the weights. */
  long totalWeight() {
    return totalWeight;
  }

  /** Returns whether any node has a weight other than 1. */
  boolean weighted() {
    return weightedCount > 0;
  }

  int size() {
    return names.length;
  }

  @Nullable N get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : node(i);
  }

  static void checkWeight(int weight) {
    if (weight < 1 || weight > Placement.MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "weight: " + weight + " (expected: 1.." + Placement.MAX_WEIGHT + ")");
    }
  }

  private static void checkSameNode(Object present, Object node, String name) {
    if (!present.equals(node)) {
      throw new IllegalArgumentException(
          "node: "
              + node
              + " (expected: a unique name; "
              + present
              + " is already named "
              + name
              + ")");
    }
  }
}
