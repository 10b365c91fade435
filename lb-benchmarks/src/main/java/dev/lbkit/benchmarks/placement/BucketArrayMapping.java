package dev.lbkit.benchmarks.placement;

import dev.lbkit.hashing.KeyHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A mapping whose algorithm yields bucket numbers, as jump hashes do: an array from bucket number
 * to node turns the bucket into a node with one load, so the peers return nodes as lbkit's
 * placements do, at about the same cost.
 */
abstract class BucketArrayMapping implements Mapping {

  private @Nullable Node[] nodeOf = new Node[16];
  private int size;

  /** Returns the bucket of a key hash; called only while there is at least one node. */
  abstract int bucket(long hash, int size);

  @Override
  public final @Nullable Node owner(String key) {
    long hash = KeyHash.of(key);
    return size == 0 ? null : nodeOf[bucket(hash, size)];
  }

  /** Records that {@code bucket} now belongs to {@code node}. */
  final void assignBucket(int bucket, Node node) {
    if (bucket >= nodeOf.length) {
      nodeOf = Arrays.copyOf(nodeOf, Math.max(bucket + 1, 2 * nodeOf.length));
    }
    nodeOf[bucket] = node;
    size++;
  }

  /** Records that {@code bucket} belongs to no node any more. */
  final void releaseBucket(int bucket) {
    nodeOf[bucket] = null;
    size--;
  }

  /** Returns the node of {@code bucket}, or null if none has it. */
  final @Nullable Node nodeOf(int bucket) {
    return bucket < nodeOf.length ? nodeOf[bucket] : null;
  }

  /** Returns the number of nodes. */
  final int size() {
    return size;
  }

  @Override
  public final List<Node> nodes() {
    List<Node> nodes = new ArrayList<>(size);
    for (Node node : nodeOf) {
      if (node != null) {
        nodes.add(node);
      }
    }
    return nodes;
  }
}
