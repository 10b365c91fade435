package dev.lbkit.hashing;

import java.util.Arrays;

/**
 * MementoHash (Coluzzi, Brocco, Antonucci and Leidi, "MementoHash: A Stateful, Minimal Memory, Best
 * Performing Consistent Hash Algorithm", IEEE/ACM Transactions on Networking, 2024; arXiv
 * 2306.09783) over JumpBackHash (Ertl, "JumpBackHash: Say Goodbye to the Modulo Operation to
 * Distribute Keys Uniformly to Buckets", 2024; arXiv 2403.18682): consistent hashing onto numbered
 * buckets from which <em>any</em> bucket may be removed, not only the last.
 *
 * <pre>{@code
 * MementoHash shards = MementoHash.of(10);           // buckets 0..9
 * int shard = shards.getBucket(KeyHash.of("user:123"));
 * shards = shards.removeBucket(3);                    // only bucket 3's keys move
 * shards = shards.addBucket();                        // bucket 3 again: its keys move back
 * }</pre>
 *
 * <h2>Algorithm</h2>
 *
 * A jump hash spreads keys over the <em>b-array</em>, buckets {@code 0..arraySize()-1}. Removing
 * the last bucket while no other is removed just shrinks the b-array, as in a plain jump hash.
 * Removing any other bucket {@code b} while {@code w} buckets work records, in the memento table,
 * that {@code b} was replaced by {@code w - 1}: the number of buckets that work after the removal,
 * which is also the bucket that takes {@code b}'s place. A key that lands on {@code b} is hashed
 * again, with {@code b} as seed, into {@code [0, w - 1)}; if it lands on a bucket removed before
 * {@code b} (its replacement is at least {@code w - 1}) it follows that bucket's replacements; if
 * on one removed after {@code b}, it is hashed again from there. Adding a bucket restores the one
 * removed last (the memento table is a stack), or grows the b-array when none is removed.
 *
 * <p>So removing a bucket moves only its own keys, spread evenly over the others, and restoring it
 * moves exactly those keys back: no key ever moves between two buckets that both stay. Which bucket
 * a key lands on depends on the key, the b-array size and the sequence of removals and restores
 * since the b-array last had no removed bucket.
 *
 * <h2>Format</h2>
 *
 * This is a placement format, pinned by golden test vectors. For a 64-bit key hash {@code h}:
 *
 * <ul>
 *   <li>the jump is JumpBackHash over SplitMix64 seeded with {@code h}, bucket for bucket the
 *       function of hash4j's {@code ConsistentHashing.jumpBackHashSplitMix64()};
 *   <li>the rehash with seed {@code s} is {@code fmix64(h XOR (s x 0xC2B2AE3D27D4EB4F))} (the
 *       MurmurHash3 64-bit finalizer, {@code s} sign-extended to 64 bits), and it picks a bucket in
 *       {@code [0, r)} as {@code ((rehash >>> 32) x r) >>> 32}.
 * </ul>
 *
 * <h2>Cost and thread safety</h2>
 *
 * Instances are immutable and thread-safe. {@link #getBucket}: O(1) expected (the jump takes
 * constant expected time; each removed bucket met costs one more rehash, about {@code 1 / (1 -
 * removed share)} in all), no allocation. {@link #removeBucket} and {@link #addBucket} return a new
 * instance in O({@link #arraySize()}). Memory: 8 bytes per bucket of the b-array.
 */
public final class MementoHash {

  /** The largest b-array: 2^24 buckets. */
  public static final int MAX_BUCKETS = 1 << 24;

  /** The replacement of a bucket that works. */
  private static final int WORKING = -1;

  /*
   * Design notes.
   *
   * The paper keeps the memento table in a hash map, so memory grows with the removed buckets only.
   * Here it is a dense int[] indexed by bucket, 8 bytes per bucket of the b-array: lookups are one
   * array load per bucket visited, with no hashing and no boxing, and a placement that maps
   * buckets to nodes holds an array of that length anyway.
   *
   * replacement[b] is WORKING (-1) or the replacement recorded when b was removed; the
   * replacements of removed buckets strictly decrease in removal order (each removal leaves one
   * bucket fewer working), which is what lets a lookup tell "removed before" from "removed after".
   * previous[b] chains the removed buckets from the most recent back, so that restoring is a pop;
   * the bottom of the chain holds the b-array size, which is what addBucket brings in once the
   * table is empty again.
   *
   * Deviations from the paper: the jump is JumpBackHash (integer-only, constant expected time)
   * rather than Lamping and Veach's JumpHash; the rehash is a 64-bit finalizer of the key hash and
   * the seed rather than a second hash of the key, and it maps into [0, r) by multiply-shift
   * (Lemire) rather than by a modulo. Neither changes the distribution beyond a relative bias of
   * r / 2^32.
   */

  private final int[] replacement;
  private final int[] previous;
  private final int lastRemoved;
  private final int size;

  private MementoHash(int[] replacement, int[] previous, int lastRemoved, int size) {
    this.replacement = replacement;
    this.previous = previous;
    this.lastRemoved = lastRemoved;
    this.size = size;
  }

  /**
   * Returns buckets {@code 0..buckets-1}, all working.
   *
   * @throws IllegalArgumentException if {@code buckets} is negative or above {@link #MAX_BUCKETS}
   */
  public static MementoHash of(int buckets) {
    if (buckets < 0 || buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException(
          "buckets: " + buckets + " (expected: 0.." + MAX_BUCKETS + ")");
    }
    int[] replacement = new int[buckets];
    Arrays.fill(replacement, WORKING);
    return new MementoHash(replacement, new int[buckets], buckets, buckets);
  }

  /**
   * Returns the working bucket for a key hash. O(1) expected, allocation-free.
   *
   * @param hash the key's 64-bit hash, such as {@link KeyHash#of}
   * @throws IllegalStateException if no bucket works
   */
  public int getBucket(long hash) {
    if (size == 0) {
      throw new IllegalStateException("no working bucket");
    }
    return bucket(hash);
  }

  /** {@link #getBucket} without the check: at least one bucket must work. */
  int bucket(long hash) {
    int[] replacements = replacement;
    int b = jumpBack(hash, replacements.length);
    int r = replacements[b];
    while (r >= 0) { // b was removed, leaving r buckets working: rehash into [0, r)
      b = reduce(rehash(hash, b), r);
      int next = replacements[b];
      while (next >= r) { // b was removed before: follow its replacements
        b = next;
        next = replacements[b];
      }
      r = next; // WORKING, or b was removed after: rehash again from b
    }
    return b;
  }

  /**
   * Returns this b-array without {@code bucket}: its keys move to the other working buckets,
   * evenly; no other key moves.
   *
   * @throws IllegalArgumentException if {@code bucket} is not a working bucket
   */
  public MementoHash removeBucket(int bucket) {
    Editor editor = edit();
    editor.remove(bucket);
    return editor.build();
  }

  /**
   * Returns this b-array with {@link #nextBucket()} working again: the bucket removed last, or a
   * new bucket at the end if none is removed. Only keys that move onto it move.
   *
   * @throws IllegalStateException if a new bucket would exceed {@link #MAX_BUCKETS}
   */
  public MementoHash addBucket() {
    Editor editor = edit();
    editor.add();
    return editor.build();
  }

  /** Returns the bucket {@link #addBucket()} would bring in. */
  public int nextBucket() {
    return lastRemoved;
  }

  /** Returns the number of working buckets. */
  public int size() {
    return size;
  }

  /**
   * Returns the size of the b-array: working buckets and removed ones below the last working one.
   */
  public int arraySize() {
    return replacement.length;
  }

  /** Returns whether {@code bucket} is a working bucket. */
  public boolean isWorking(int bucket) {
    return bucket >= 0 && bucket < replacement.length && replacement[bucket] == WORKING;
  }

  @Override
  public String toString() {
    return "MementoHash{size=" + size + ", arraySize=" + replacement.length + "}";
  }

  /** Returns a mutable copy of this state, for several changes at the cost of one copy. */
  Editor edit() {
    return new Editor(this);
  }

  /** Changes a copy of a state in place; {@link #build()} freezes the result. Not thread-safe. */
  static final class Editor {
    private int[] replacement;
    private int[] previous;
    private int arraySize;
    private int lastRemoved;
    private int size;

    Editor(MementoHash from) {
      this.replacement = from.replacement.clone();
      this.previous = from.previous.clone();
      this.arraySize = from.replacement.length;
      this.lastRemoved = from.lastRemoved;
      this.size = from.size;
    }

    /** Removes a working bucket: see {@link MementoHash#removeBucket}. */
    void remove(int bucket) {
      if (bucket < 0 || bucket >= arraySize || replacement[bucket] != WORKING) {
        throw new IllegalArgumentException(
            "bucket: " + bucket + " (expected: a working bucket in 0.." + (arraySize - 1) + ")");
      }
      if (size == arraySize && bucket == arraySize - 1) { // none removed: shrink, like a jump hash
        arraySize--;
        lastRemoved = arraySize;
      } else {
        replacement[bucket] = size - 1;
        previous[bucket] = lastRemoved;
        lastRemoved = bucket;
      }
      size--;
    }

    /** Restores the bucket removed last, or appends one; returns it. */
    int add() {
      int bucket = lastRemoved;
      if (size == arraySize) { // none removed: grow, like a jump hash
        if (arraySize == MAX_BUCKETS) {
          throw new IllegalStateException(
              "buckets: " + MAX_BUCKETS + " (expected: at most " + MAX_BUCKETS + ")");
        }
        if (arraySize == replacement.length) {
          int capacity = Math.min(MAX_BUCKETS, Math.max(8, arraySize * 2));
          replacement = Arrays.copyOf(replacement, capacity);
          previous = Arrays.copyOf(previous, capacity);
        }
        arraySize++;
        lastRemoved = arraySize;
      } else {
        lastRemoved = previous[bucket];
      }
      replacement[bucket] = WORKING;
      size++;
      return bucket;
    }

    /** Returns the number of removed buckets that adding would restore before growing. */
    int removed() {
      return arraySize - size;
    }

    int arraySize() {
      return arraySize;
    }

    MementoHash build() {
      return new MementoHash(
          Arrays.copyOf(replacement, arraySize),
          Arrays.copyOf(previous, arraySize),
          lastRemoved,
          size);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The hash functions of the format

  /** The increment of SplitMix64's state: 2^64 divided by the golden ratio, odd. */
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  /** The multiplier of a rehash seed: XXH64's second prime, odd. */
  private static final long SEED_MULTIPLIER = 0xc2b2ae3d27d4eb4fL;

  /**
   * JumpBackHash (Ertl 2024) with SplitMix64: the bucket in {@code [0, n)} of the largest "active
   * index" below {@code n} of the key, where index {@code i >= 1} is active with probability {@code
   * 1 / (i + 1)}, independently; index 0 always is. That makes every bucket equally likely and
   * moves a key, when {@code n} grows by one, only onto the new bucket.
   *
   * <p>The indices are taken in power-of-two ranges {@code [2^k, 2^(k+1))}: a range holds an active
   * index with probability exactly 1/2, so one random bit per range says which ranges to look in,
   * and the largest active index of a range is uniform in it. Ranges are visited from the highest
   * below {@code n} down; where a range straddles {@code n}, further active indices of it are drawn
   * from SplitMix64 until one falls below {@code n} or none remains in the range.
   *
   * @param n at least 1
   */
  static int jumpBack(long hash, int n) {
    if (n <= 1) {
      return 0;
    }
    long state = hash + GOLDEN_GAMMA;
    long first = splitMix64(state);
    // Bit k says whether range k holds an active index; only ranges that start below n count.
    int ranges = (int) (first ^ (first >>> 32)) & (-1 >>> Integer.numberOfLeadingZeros(n - 1));
    while (ranges != 0) {
      int low = Integer.highestOneBit(ranges);
      // The range's largest active index, uniform in [low, 2 low): low bits of one half of `first`
      // (the half alternates as ranges are used up, so no two ranges read the same bits).
      int index = low + ((int) (first >>> ((Integer.bitCount(ranges) & 1) << 5)) & (low - 1));
      if (index < n) {
        return index;
      }
      int mask = (low << 1) - 1;
      while (true) { // the range straddles n: draw its next active indices, two per random value
        state += GOLDEN_GAMMA;
        long random = splitMix64(state);
        index = (int) random & mask;
        if (index < low) {
          break; // none left in this range
        }
        if (index < n) {
          return index;
        }
        index = (int) (random >>> 32) & mask;
        if (index < low) {
          break;
        }
        if (index < n) {
          return index;
        }
      }
      ranges ^= low;
    }
    return 0;
  }

  /** The rehash of a key hash with a seed: see the class comment. */
  static long rehash(long hash, int seed) {
    return fmix64(hash ^ (seed * SEED_MULTIPLIER));
  }

  /** Maps the high 32 bits of {@code hash} onto {@code [0, range)} by multiply-shift. */
  static int reduce(long hash, int range) {
    return (int) (((hash >>> 32) * range) >>> 32);
  }

  /** SplitMix64's output function (Steele, Lea and Flood; Stafford's variant 13). */
  private static long splitMix64(long z) {
    long x = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    return x ^ (x >>> 31);
  }

  /** MurmurHash3's 64-bit finalizer. */
  private static long fmix64(long z) {
    long x = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }
}
