package dev.lbkit.benchmarks.placement;

import java.util.List;

/**
 * A function of (key hash, bucket count), such as a jump hash, as a {@link Mapping}: bucket {@code
 * b} is the {@code b}-th node added. Such a function keeps no state, so the only changes it allows
 * are adding bucket {@code n} and removing the last bucket.
 */
final class BucketMapping extends BucketArrayMapping {

  /** Maps a 64-bit key hash to a bucket in {@code [0, buckets)}. */
  @FunctionalInterface
  interface BucketFunction {
    int bucket(long hash, int buckets);
  }

  private final BucketFunction function;

  BucketMapping(BucketFunction function, List<Node> nodes) {
    this.function = function;
    nodes.forEach(this::add);
  }

  @Override
  int bucket(long hash, int size) {
    return function.bucket(hash, size);
  }

  /** Appends {@code node} as bucket {@code n}. */
  @Override
  public void add(Node node) {
    assignBucket(size(), node);
  }

  /** Removes the last bucket, which must be {@code node}. */
  @Override
  public void remove(Node node) {
    Node last = nodeOf(size() - 1);
    if (last == null || !last.equals(node)) {
      throw new IllegalArgumentException(
          "node: "
              + node
              + " (expected: the last bucket, "
              + (last == null ? "none" : last)
              + "; a jump hash removes only the last bucket)");
    }
    releaseBucket(size() - 1);
  }
}
