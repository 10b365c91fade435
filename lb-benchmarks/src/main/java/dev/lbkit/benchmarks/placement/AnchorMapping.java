package dev.lbkit.benchmarks.placement;

import com.dynatrace.hash4j.consistent.ConsistentBucketSetHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.dynatrace.hash4j.random.PseudoRandomGeneratorProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * hash4j's {@code jumpBackAnchorHash} as a {@link Mapping}: a jump hash that can remove any bucket,
 * keeping the removed ones in a small history. Bucket numbers come from {@code addBucket()}. Not
 * thread-safe: the hasher carries a random generator.
 */
final class AnchorMapping extends BucketArrayMapping {

  private final ConsistentBucketSetHasher hasher =
      ConsistentHashing.jumpBackAnchorHash(PseudoRandomGeneratorProvider.splitMix64_V1());
  private final Map<Node, Integer> bucketOf = new HashMap<>();

  AnchorMapping(List<Node> nodes) {
    nodes.forEach(this::add);
  }

  @Override
  int bucket(long hash, int size) {
    return hasher.getBucket(hash);
  }

  @Override
  public void add(Node node) {
    if (!bucketOf.containsKey(node)) {
      int bucket = hasher.addBucket();
      bucketOf.put(node, bucket);
      assignBucket(bucket, node);
    }
  }

  @Override
  public void remove(Node node) {
    Integer bucket = bucketOf.remove(node);
    if (bucket != null) {
      hasher.removeBucket(bucket);
      releaseBucket(bucket);
    }
  }
}
