package dev.lbkit.hashing;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The points of a consistent hash ring, each a 64-bit position and the id of the node that owns it,
 * indexed for constant expected lookup time and changed by copying only what a change touches.
 * Immutable: {@link #plus} and {@link #minus} return a new index that shares every untouched part
 * with this one. Ids are small non-negative ints that the ring maps to nodes and names.
 *
 * <h2>Layout</h2>
 *
 * The circle is cut into {@code 2^bits} arcs of equal length, <em>buckets</em>: bucket {@code b}
 * holds the points whose unsigned position has {@code b} as its top {@code bits} bits, so a
 * position finds its bucket with one shift. {@code bits} is chosen so that a bucket holds half the
 * shape's target load to the target load (8) on average. Changes keep {@code bits} until the
 * average leaves {@code [target / 8, 2 x target]}; then the index is rebucketed, in O(points).
 *
 * <p>A bucket is one {@code long[]}: the count {@code k}, then for each of its {@code k} points in
 * ring order (ties by node name) its <em>offset</em> and its owner's id, then a sentinel: the
 * offset {@code Long.MAX_VALUE} and the id of the owner of the first point after the bucket
 * (wrapping around the circle). An offset is a position without the bucket's top bits, below {@code
 * 2^(64 - bits)}, so offsets compare as Java longs. A key past a bucket's last point finds its
 * owner at the sentinel without leaving the bucket, an empty bucket is just its sentinel, and the
 * scan for the first offset at or after a key's stops at the sentinel at the latest.
 *
 * <p>Up to {@code 2^16} buckets (rings of up to about 500,000 points) sit in one flat array;
 * beyond, in chunks of {@code 2^6} under a top-level array. A change copies the flat array, or the
 * top-level array and the chunks it touches, and each bucket it touches (a node's 150 points touch
 * about 150 buckets); never the points of other buckets.
 *
 * <p>Lookup: one shift, one array load to reach the bucket (two when chunked), a scan of a few
 * offsets in one or two cache lines, and the id right beside the offset found. No allocation.
 * Measured against alternatives (AMD EPYC, beyond hashing the key, 1,000 nodes): this takes about 5
 * ns; ids packed apart from the offsets about 7 ns (one more dependent load to reach the id); a
 * branch-free binary search in the bucket about 15 ns (its five dependent steps cost more than the
 * scan's mispredicted exit). Maglev's one table load takes about 2.
 */
final class RingIndex {

  /**
   * The layout parameters: the average points per bucket aimed at, the most bucket bits kept in one
   * flat array, and the bucket bits per chunk beyond. Tests shrink them to reach every path
   * (chunks, rebuckets, long runs of empty buckets) with small rings.
   */
  record Shape(int targetLoad, int flatBits, int chunkBits) {

    /** 8 points per bucket; flat up to 2^16 buckets, then chunks of 2^6. */
    static final Shape DEFAULT = new Shape(8, 16, 6);

    Shape {
      if (targetLoad < 1 || flatBits < 1 || chunkBits < 0 || chunkBits > flatBits) {
        throw new IllegalArgumentException(
            "shape: " + targetLoad + ", " + flatBits + ", " + chunkBits);
      }
    }

    /** The bucket bits for {@code points} points: at least 1. */
    int bitsFor(long points) {
      long buckets = (points + targetLoad - 1) / targetLoad;
      return buckets <= 2 ? 1 : 64 - Long.numberOfLeadingZeros(buckets - 1);
    }

    int chunkBitsFor(int bits) {
      return bits <= flatBits ? bits : chunkBits;
    }

    /** Whether an index of {@code bits} bucket bits holding {@code points} needs rebucketing. */
    boolean outOfRange(int bits, long points) {
      long buckets = 1L << bits;
      return points > 2L * targetLoad * buckets || (bits > 1 && 8 * points < targetLoad * buckets);
    }
  }

  /** A build first partitions the points by this many of their top bits (or fewer). */
  static final int PARTITION_BITS = 8;

  /** The shape this index and every index derived from it follow. */
  final Shape shape;

  /** The number of buckets is {@code 2^bits}. */
  final int bits;

  /** The bucket of an unsigned position {@code u} is {@code u >>> shift}. */
  private final int shift;

  /** The offset of a position in its bucket is {@code position & offsetMask}. */
  private final long offsetMask;

  private final int chunkBits;
  private final int chunkMask;
  private final long[][][] chunks;
  private final long @Nullable [][] flat; // chunks[0] when it is the only chunk
  private final int points;

  private RingIndex(Shape shape, int bits, long[][][] chunks, int points) {
    this.shape = shape;
    this.bits = bits;
    this.shift = 64 - bits;
    this.offsetMask = -1L >>> bits;
    this.chunkBits = shape.chunkBitsFor(bits);
    this.chunkMask = (1 << chunkBits) - 1;
    this.chunks = chunks;
    this.flat = chunks.length == 1 ? chunks[0] : null;
    this.points = points;
  }

  /** Returns the index of no points. */
  static RingIndex empty(Shape shape) {
    return build(shape, new long[0], new int[] {0});
  }

  /** Returns the number of points. */
  int points() {
    return points;
  }

  /** Returns the number of buckets. */
  int buckets() {
    return 1 << bits;
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup

  /** Returns the bucket of the unsigned position {@code position}. */
  int bucketOf(long position) {
    return (int) (position >>> shift);
  }

  /** Returns the offset of {@code position} in its bucket. */
  long offsetOf(long position) {
    return position & offsetMask;
  }

  /** Returns bucket {@code b}. */
  long[] bucket(int b) {
    long[][] f = flat;
    return f != null ? f[b] : chunks[b >>> chunkBits][b & chunkMask];
  }

  /**
   * Returns the id of the owner of the unsigned position {@code position}: the owner of the first
   * point at or after it, wrapping around. There must be points.
   */
  int ownerOf(long position) {
    int b = (int) (position >>> shift);
    long[][] f = flat;
    long[] bucket = f != null ? f[b] : chunks[b >>> chunkBits][b & chunkMask];
    long offset = position & offsetMask;
    int i = 1;
    while (bucket[i] < offset) { // stops at the sentinel at the latest
      i += 2;
    }
    return (int) bucket[i + 1];
  }

  /**
   * Returns the entry of {@code bucket} that owns {@code offset}: the first point at or after it,
   * or {@code count(bucket)}, the sentinel, if none is.
   */
  static int search(long[] bucket, long offset) {
    int i = 1;
    while (bucket[i] < offset) {
      i += 2;
    }
    return i >>> 1;
  }

  /** Returns the number of points in {@code bucket}: its sentinel is entry {@code count}. */
  static int count(long[] bucket) {
    return (int) bucket[0];
  }

  /** Returns the offset of entry {@code j} of {@code bucket}. */
  static long offset(long[] bucket, int j) {
    return bucket[1 + 2 * j];
  }

  /** Returns the id of entry {@code j} of {@code bucket} ({@code j} = count: the successor). */
  static int id(long[] bucket, int j) {
    return (int) bucket[2 + 2 * j];
  }

  // ---------------------------------------------------------------------------------------------
  // Buckets

  private static long[] newBucket(int count) {
    long[] bucket = new long[2 * count + 3];
    bucket[0] = count;
    bucket[1 + 2 * count] = Long.MAX_VALUE;
    return bucket;
  }

  private static void set(long[] bucket, int j, long offset, int id) {
    bucket[1 + 2 * j] = offset;
    bucket[2 + 2 * j] = id;
  }

  private static void setId(long[] bucket, int j, int id) {
    bucket[2 + 2 * j] = id;
  }

  // ---------------------------------------------------------------------------------------------
  // Building

  /** The points a build indexes: each owner's positions, owners numbered in name order. */
  interface Source {

    /** Returns the number of owners: ids {@code 0} to {@code owners() - 1}. */
    int owners();

    /** Returns the number of points of owner {@code id}. */
    int count(int id);

    /** Writes the unsigned positions of owner {@code id}, in any order, to {@code into[0..]}. */
    void positions(int id, long[] into);
  }

  /**
   * Builds the index of the points {@code positions[start[id]..start[id + 1])} of each id, whose
   * order by id must be their owners' order by name. Positions are unsigned, in any order.
   */
  static RingIndex build(Shape shape, long[] positions, int[] start) {
    return build(
        shape,
        new Source() {
          @Override
          public int owners() {
            return start.length - 1;
          }

          @Override
          public int count(int id) {
            return start[id + 1] - start[id];
          }

          @Override
          public void positions(int id, long[] into) {
            System.arraycopy(positions, start[id], into, 0, count(id));
          }
        });
  }

  /**
   * Builds the index of the points of {@code source}, asking for each owner's positions once.
   * O(points) expected: the points are first appended to partitions by their top {@value
   * #PARTITION_BITS} bits, then each partition's buckets are counted, filled and insertion-sorted
   * while they are in cache. (Filling all buckets straight from the node order wrote to a random
   * one of up to 2^21 buckets per point: over a second of cache misses for 1.5 x 10^7 points.)
   */
  static RingIndex build(Shape shape, Source source) {
    int owners = source.owners();
    long sum = 0;
    int largest = 0;
    for (int id = 0; id < owners; id++) {
      sum += source.count(id);
      largest = Math.max(largest, source.count(id));
    }
    if (sum > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("points: " + sum + " (expected: < 2^31)");
    }
    int total = (int) sum;
    int bits = shape.bitsFor(total);
    int shift = 64 - bits;
    long offsetMask = -1L >>> bits;

    // the points by partition, in id order within each: ids ascend within a partition
    int partitionBits = Math.min(bits, PARTITION_BITS);
    int partitionShift = 64 - partitionBits;
    int partitions = 1 << partitionBits;
    int expected = total >>> partitionBits;
    int capacity = expected + (expected >>> 3) + 16; // about 10 standard deviations of room
    long[][] partitioned = new long[partitions][capacity];
    int[][] partitionedIds = new int[partitions][capacity];
    int[] sizes = new int[partitions];
    long[] own = new long[largest];
    for (int id = 0; id < owners; id++) {
      int count = source.count(id);
      source.positions(id, own);
      for (int p = 0; p < count; p++) {
        long u = own[p];
        int q = (int) (u >>> partitionShift);
        int at = sizes[q]++;
        if (at == partitioned[q].length) { // rare: grow this partition
          partitioned[q] = Arrays.copyOf(partitioned[q], at * 2);
          partitionedIds[q] = Arrays.copyOf(partitionedIds[q], at * 2);
        }
        partitioned[q][at] = u;
        partitionedIds[q][at] = id;
      }
    }

    long[][] buckets = new long[1 << bits][];
    int perPartition = 1 << (bits - partitionBits);
    int[] fill = new int[perPartition];
    for (int q = 0; q < partitions; q++) {
      long[] points = partitioned[q];
      int[] ids = partitionedIds[q];
      int base = q * perPartition;
      Arrays.fill(fill, 0);
      for (int i = 0; i < sizes[q]; i++) {
        fill[(int) (points[i] >>> shift) - base]++;
      }
      for (int j = 0; j < perPartition; j++) {
        buckets[base + j] = newBucket(fill[j]);
      }
      Arrays.fill(fill, 0);
      for (int i = 0; i < sizes[q]; i++) {
        long u = points[i];
        int j = (int) (u >>> shift) - base;
        set(buckets[base + j], fill[j]++, u & offsetMask, ids[i]);
      }
      for (int j = 0; j < perPartition; j++) {
        sortByOffsetThenId(buckets[base + j]);
      }
      partitioned[q] = EMPTY_POINTS; // let the collector have it while the build goes on
      partitionedIds[q] = EMPTY_IDS;
    }
    linkSuccessors(buckets);
    return new RingIndex(shape, bits, chunked(shape, buckets, bits), total);
  }

  private static final long[] EMPTY_POINTS = new long[0];
  private static final int[] EMPTY_IDS = new int[0];

  /** Insertion sort of a bucket's few entries by offset, then id (in a build, name order). */
  private static void sortByOffsetThenId(long[] bucket) {
    int k = count(bucket);
    for (int i = 1; i < k; i++) {
      long o = offset(bucket, i);
      int id = id(bucket, i);
      int j = i - 1;
      while (j >= 0 && (offset(bucket, j) > o || (offset(bucket, j) == o && id(bucket, j) > id))) {
        set(bucket, j + 1, offset(bucket, j), id(bucket, j));
        j--;
      }
      set(bucket, j + 1, o, id);
    }
  }

  /** Sets every bucket's sentinel id to the owner of the first point after it, wrapping. */
  private static void linkSuccessors(long[][] buckets) {
    int next = -1; // the owner of the first point after the bucket at hand: first, the wrap-around
    for (long[] bucket : buckets) {
      if (count(bucket) > 0) {
        next = id(bucket, 0);
        break;
      }
    }
    if (next < 0) {
      return; // no points: sentinels are never read
    }
    for (int b = buckets.length - 1; b >= 0; b--) {
      long[] bucket = buckets[b];
      setId(bucket, count(bucket), next);
      if (count(bucket) > 0) {
        next = id(bucket, 0);
      }
    }
  }

  private static long[][][] chunked(Shape shape, long[][] buckets, int bits) {
    int chunkBits = shape.chunkBitsFor(bits);
    long[][][] chunks = new long[buckets.length >>> chunkBits][][];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = Arrays.copyOfRange(buckets, c << chunkBits, (c + 1) << chunkBits);
    }
    return chunks;
  }

  /**
   * Returns this index with {@code newBits} bucket bits: the same points, rebucketed. O(points).
   */
  private RingIndex rebucketed(int newBits) {
    int newShift = 64 - newBits;
    long newMask = -1L >>> newBits;
    int[] fill = new int[1 << newBits];
    for (int b = 0; b < buckets(); b++) {
      long[] bucket = bucket(b);
      for (int j = 0; j < count(bucket); j++) {
        fill[(int) (position(b, bucket, j) >>> newShift)]++;
      }
    }
    long[][] buckets = new long[1 << newBits][];
    for (int b = 0; b < buckets.length; b++) {
      buckets[b] = newBucket(fill[b]);
    }
    Arrays.fill(fill, 0);
    for (int b = 0; b < buckets(); b++) { // in ring order, so every new bucket fills in order
      long[] bucket = bucket(b);
      for (int j = 0; j < count(bucket); j++) {
        long u = position(b, bucket, j);
        int nb = (int) (u >>> newShift);
        set(buckets[nb], fill[nb]++, u & newMask, id(bucket, j));
      }
    }
    linkSuccessors(buckets);
    return new RingIndex(shape, newBits, chunked(shape, buckets, newBits), points);
  }

  /** Returns the unsigned position of entry {@code j} of bucket {@code b}. */
  private long position(int b, long[] bucket, int j) {
    return ((long) b << shift) | offset(bucket, j);
  }

  // ---------------------------------------------------------------------------------------------
  // Changing

  /**
   * Returns this index with the points {@code positions} (unsigned, in unsigned order) of the node
   * {@code id}, named {@code name}, added; {@code names} names every id present (for the rare
   * positions two nodes share). Copies the buckets touched, their chunks and the top-level array
   * (or the flat array); rebuckets if the points per bucket leave their range.
   */
  RingIndex plus(long[] positions, int id, String name, IntFunction<String> names) {
    Editor editor = new Editor();
    long[] offsets = offsetsOf(positions);
    int from = 0;
    while (from < positions.length) {
      int b = bucketOf(positions[from]);
      int to = runEnd(positions, from, b);
      editor.put(b, merged(editor.get(b), offsets, from, to, id, name, names));
      from = to;
    }
    return editor.finish(points + positions.length);
  }

  /**
   * Returns this index without the points {@code positions} (unsigned, in unsigned order) of the
   * node {@code id}, each of which must be present.
   *
   * @throws IllegalStateException if one is not
   */
  RingIndex minus(long[] positions, int id) {
    Editor editor = new Editor();
    long[] offsets = offsetsOf(positions);
    int from = 0;
    while (from < positions.length) {
      int b = bucketOf(positions[from]);
      int to = runEnd(positions, from, b);
      editor.put(b, filtered(editor.get(b), offsets, from, to, id));
      from = to;
    }
    return editor.finish(points - positions.length);
  }

  private long[] offsetsOf(long[] positions) {
    long[] offsets = new long[positions.length];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = positions[i] & offsetMask;
    }
    return offsets;
  }

  /** The end of the run of {@code positions} from {@code from} that fall in bucket {@code b}. */
  private int runEnd(long[] positions, int from, int b) {
    int to = from + 1;
    while (to < positions.length && bucketOf(positions[to]) == b) {
      to++;
    }
    return to;
  }

  /** {@code bucket} with {@code adds[from..to)} of node {@code id} merged in, ties by name. */
  private static long[] merged(
      long[] bucket,
      long[] adds,
      int from,
      int to,
      int id,
      String name,
      IntFunction<String> names) {
    int k = count(bucket);
    int total = k + to - from;
    long[] out = newBucket(total);
    int i = 0;
    int a = from;
    for (int o = 0; o < total; o++) {
      boolean takeOld;
      if (i == k) {
        takeOld = false;
      } else if (a == to) {
        takeOld = true;
      } else if (offset(bucket, i) != adds[a]) {
        takeOld = offset(bucket, i) < adds[a];
      } else { // a 64-bit collision: order by name, so the layout depends only on the node set
        takeOld = names.apply(id(bucket, i)).compareTo(name) <= 0;
      }
      if (takeOld) {
        set(out, o, offset(bucket, i), id(bucket, i));
        i++;
      } else {
        set(out, o, adds[a++], id);
      }
    }
    setId(out, total, id(bucket, k));
    return out;
  }

  /** {@code bucket} without {@code removes[from..to)} of node {@code id}. */
  private static long[] filtered(long[] bucket, long[] removes, int from, int to, int id) {
    int k = count(bucket);
    int total = k - (to - from);
    if (total < 0) {
      throw new IllegalStateException("ring: removing points that are not there");
    }
    long[] out = newBucket(total);
    int r = from;
    int o = 0;
    for (int i = 0; i < k; i++) {
      long offset = offset(bucket, i);
      int owner = id(bucket, i);
      if (r < to && owner == id && offset == removes[r]) {
        r++;
      } else if (o < total) {
        set(out, o++, offset, owner);
      } else {
        throw new IllegalStateException("ring: removing points that are not there");
      }
    }
    if (r != to) {
      throw new IllegalStateException("ring: removing points that are not there");
    }
    setId(out, total, id(bucket, k));
    return out;
  }

  /**
   * The next index under construction: a copy of the top-level array, the chunks and buckets
   * replaced so far, and which buckets those are. Nothing reachable from this index is written.
   */
  private final class Editor {
    private final long[][][] top = chunks.clone();
    private int[] touched = new int[16];
    private int touchedCount;

    long[] get(int b) {
      return top[b >>> chunkBits][b & chunkMask];
    }

    void put(int b, long[] bucket) {
      privateChunk(b)[b & chunkMask] = bucket;
      if (touchedCount == touched.length) {
        touched = Arrays.copyOf(touched, touchedCount * 2);
      }
      touched[touchedCount++] = b;
    }

    private long[][] privateChunk(int b) {
      int c = b >>> chunkBits;
      if (top[c] == chunks[c]) {
        top[c] = chunks[c].clone();
      }
      return top[c];
    }

    /** Returns bucket {@code b}, copied first unless this change made it. */
    private long[] privateBucket(int b) {
      long[] bucket = get(b);
      if (bucket == chunks[b >>> chunkBits][b & chunkMask]) {
        bucket = bucket.clone();
        privateChunk(b)[b & chunkMask] = bucket;
      }
      return bucket;
    }

    /**
     * Relinks the successors the touched buckets changed and returns the new index, rebucketed if
     * its points per bucket left their range.
     */
    RingIndex finish(int total) {
      if (total == 0) {
        return empty(shape);
      }
      int mask = (1 << bits) - 1;
      for (int t = 0; t < touchedCount; t++) {
        int c = touched[t];
        // the owner of the first point at or after bucket c, in the new state
        int d = c;
        while (count(get(d)) == 0) {
          d = (d + 1) & mask;
        }
        int first = id(get(d), 0);
        // every bucket whose successor that is: back from c to the first one with points
        int b = (c - 1) & mask;
        while (true) {
          long[] bucket = get(b);
          int k = count(bucket);
          if (id(bucket, k) != first) {
            setId(privateBucket(b), k, first);
          }
          if (k > 0) {
            break;
          }
          b = (b - 1) & mask;
        }
      }
      RingIndex next = new RingIndex(shape, bits, top, total);
      return shape.outOfRange(bits, total) ? next.rebucketed(shape.bitsFor(total)) : next;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // For tests

  /** Returns the unsigned positions in ring order. */
  long[] positions() {
    long[] out = new long[points];
    int o = 0;
    for (int b = 0; b < buckets(); b++) {
      long[] bucket = bucket(b);
      for (int j = 0; j < count(bucket); j++) {
        out[o++] = position(b, bucket, j);
      }
    }
    return out;
  }

  /** Returns the owner ids in ring order. */
  int[] ids() {
    int[] out = new int[points];
    int o = 0;
    for (int b = 0; b < buckets(); b++) {
      long[] bucket = bucket(b);
      for (int j = 0; j < count(bucket); j++) {
        out[o++] = id(bucket, j);
      }
    }
    return out;
  }

  /**
   * Checks the invariants: the directory's shape, every point in its bucket and in order, the
   * counts adding up, every sentinel naming the owner of the next point, the number of buckets in
   * range; throws {@code IllegalStateException} if one fails.
   */
  void check() {
    if (chunks.length << chunkBits != buckets()) {
      throw new IllegalStateException("chunks: " + chunks.length + " of " + (1 << chunkBits));
    }
    if (points > 0 && shape.outOfRange(bits, points)) {
      throw new IllegalStateException("bits: " + bits + " for " + points + " points");
    }
    long seen = 0;
    for (int b = 0; b < buckets(); b++) {
      long[] bucket = bucket(b);
      int k = count(bucket);
      if (k < 0 || bucket.length != 2 * k + 3 || offset(bucket, k) != Long.MAX_VALUE) {
        throw new IllegalStateException("bucket " + b + ": bad layout");
      }
      for (int j = 0; j < k; j++) {
        long offset = offset(bucket, j);
        if ((offset & ~offsetMask) != 0) {
          throw new IllegalStateException("bucket " + b + ": an offset out of range");
        }
        if (j > 0 && offset < offset(bucket, j - 1)) {
          throw new IllegalStateException("bucket " + b + ": out of order");
        }
      }
      seen += k;
    }
    if (seen != points) {
      throw new IllegalStateException("points: " + seen + " (expected: " + points + ")");
    }
    int[] ids = ids();
    int at = 0;
    for (int b = 0; b < buckets() && points > 0; b++) {
      long[] bucket = bucket(b);
      at += count(bucket);
      int successor = id(bucket, count(bucket));
      if (successor != ids[at % points]) {
        throw new IllegalStateException(
            "bucket " + b + ": successor " + successor + " (expected: " + ids[at % points] + ")");
      }
    }
  }
}
