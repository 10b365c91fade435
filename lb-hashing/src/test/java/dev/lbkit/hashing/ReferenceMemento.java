package dev.lbkit.hashing;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A from-scratch model of the documented Memento placement, sharing no code with {@link Memento},
 * {@link MementoHash} or {@link KeyHash}, and keeping its state the slow, explicit way.
 *
 * <p>Buckets ({@link Buckets}) are an explicit list of <em>positions</em>: the working buckets are
 * positions {@code 0..w-1}; removing a bucket puts the bucket at the last position in its place and
 * keeps a copy of the positions, so each removal is a plain bijection between {@code w - 1}
 * positions and the buckets left, and restoring pops the copy. A key hash goes to hash4j's
 * JumpBackHash bucket over the b-array; while that bucket is removed, it is rehashed (the
 * documented formula, written out below) into the positions copied when that bucket was removed.
 * That this lands where MementoHash's replacement chains land is what the tests check.
 *
 * <p>Nodes: the constructor gives the {@code i}-th name in name order bucket {@code i}; a node
 * added takes its buckets one at a time (restoring the bucket removed last, or appending one); a
 * node removed or lowered gives up its buckets most recent first.
 */
final class ReferenceMemento {

  private final Buckets buckets;
  private final Map<String, Deque<Integer>> bucketsOf = new TreeMap<>();
  private final Map<Integer, String> ownerOf = new HashMap<>();

  ReferenceMemento(Collection<String> nodeNames) {
    List<String> sorted = new ArrayList<>(new TreeSet<>(nodeNames));
    this.buckets = new Buckets(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      bucketsOf.put(sorted.get(i), new ArrayDeque<>(List.of(i)));
      ownerOf.put(i, sorted.get(i));
    }
  }

  /**
   * Gives {@code name} {@code weight} buckets (0 removes it), taking or giving up one at a time.
   */
  void setWeight(String name, int weight) {
    Deque<Integer> held = bucketsOf.computeIfAbsent(name, n -> new ArrayDeque<>());
    while (held.size() < weight) {
      int b = buckets.add();
      held.addLast(b);
      ownerOf.put(b, name);
    }
    while (held.size() > weight) {
      int b = held.removeLast();
      buckets.remove(b);
      ownerOf.remove(b);
    }
    if (held.isEmpty()) {
      bucketsOf.remove(name);
    }
  }

  /** Returns the owner of {@code key}, or null when there are no nodes. */
  @Nullable String owner(String key) {
    return ownerOf.isEmpty() ? null : ownerOf.get(buckets.bucket(ReferenceRing.hash(key)));
  }

  /** The buckets of {@code name}, in the order it took them. */
  List<Integer> bucketsOf(String name) {
    return new ArrayList<>(bucketsOf.getOrDefault(name, new ArrayDeque<>()));
  }

  /** The bucket model: explicit positions and a stack of removals. */
  static final class Buckets {

    private static final ConsistentBucketHasher JUMP_BACK =
        ConsistentHashing.jumpBackHashSplitMix64();

    /** One removal: the bucket, and the positions just before and just after it. */
    private record Removal(int bucket, List<Integer> before, List<Integer> after) {}

    private int arraySize;
    private List<Integer> positions = new ArrayList<>();
    private final Deque<Removal> removals = new ArrayDeque<>();

    Buckets(int count) {
      this.arraySize = count;
      for (int b = 0; b < count; b++) {
        positions.add(b);
      }
    }

    /** Removes a working bucket; with nothing removed, the last one just shrinks the b-array. */
    void remove(int bucket) {
      if (!positions.contains(bucket)) {
        throw new IllegalArgumentException("not working: " + bucket);
      }
      if (removals.isEmpty() && bucket == arraySize - 1) {
        arraySize--;
        positions.remove(positions.size() - 1);
        return;
      }
      List<Integer> after = new ArrayList<>(positions);
      int last = after.remove(after.size() - 1);
      if (last != bucket) {
        after.set(after.indexOf(bucket), last);
      }
      removals.push(new Removal(bucket, positions, after));
      positions = after;
    }

    /** Restores the bucket removed last, or appends one; returns it. */
    int add() {
      if (removals.isEmpty()) {
        positions.add(arraySize);
        return arraySize++;
      }
      Removal undone = removals.pop();
      positions = undone.before();
      return undone.bucket();
    }

    boolean working(int bucket) {
      return positions.contains(bucket);
    }

    int size() {
      return positions.size();
    }

    int bucket(long hash) {
      int b = JUMP_BACK.getBucket(hash, arraySize);
      while (!positions.contains(b)) {
        List<Integer> after = removalOf(b).after();
        b = after.get(pick(rehash(hash, b), after.size()));
      }
      return b;
    }

    private Removal removalOf(int bucket) {
      for (Removal r : removals) {
        if (r.bucket() == bucket) {
          return r;
        }
      }
      throw new AssertionError("bucket " + bucket + " is neither working nor removed");
    }

    /** The documented rehash: MurmurHash3's fmix64 of hash XOR (seed x 0xC2B2AE3D27D4EB4F). */
    static long rehash(long hash, long seed) {
      long z = hash ^ (seed * 0xC2B2AE3D27D4EB4FL);
      z ^= z >>> 33;
      z *= 0xFF51AFD7ED558CCDL;
      z ^= z >>> 33;
      z *= 0xC4CEB9FE1A85EC53L;
      z ^= z >>> 33;
      return z;
    }

    /** floor(high32(hash) x range / 2^32). */
    static int pick(long hash, int range) {
      return (int) Long.divideUnsigned((hash >>> 32) * range, 1L << 32);
    }
  }
}
