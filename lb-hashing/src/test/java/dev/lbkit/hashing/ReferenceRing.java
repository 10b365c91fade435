package dev.lbkit.hashing;

import com.dynatrace.hash4j.hashing.Hashing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A from-scratch model of the documented placement, written as plainly as possible and sharing no
 * code with {@link ConsistentHash} or {@link KeyHash}: bytes built by hand, hashed with hash4j's
 * XXH3-64 over a {@code byte[]}, points sorted as unsigned numbers with ties by node name, a key
 * owned by the first point at or after it (wrapping to the first point). Tests compare the real
 * ring and the golden vectors against it.
 */
final class ReferenceRing {

  private final List<Point> points = new ArrayList<>();

  ReferenceRing(Collection<String> nodeNames, int virtualNodes) {
    this(WeightedPlacements.uniform(nodeNames, 1), virtualNodes);
  }

  /**
   * The weighted ring: a node of weight {@code w} has the points {@code replica(name, i)} for
   * {@code i} in {@code [0, w x virtualNodes)}.
   */
  ReferenceRing(Map<String, Integer> weights, int virtualNodes) {
    for (Map.Entry<String, Integer> node : weights.entrySet()) {
      for (int i = 0; i < node.getValue() * virtualNodes; i++) {
        points.add(new Point(replica(node.getKey(), i), node.getKey()));
      }
    }
    points.sort(
        Comparator.comparing(Point::position, Long::compareUnsigned).thenComparing(Point::name));
  }

  /** Returns the owner of {@code key}, or null when there are no nodes. */
  @Nullable String owner(String key) {
    if (points.isEmpty()) {
      return null;
    }
    long h = hash(key);
    for (Point p : points) { // linear on purpose: obviously right beats fast here
      if (Long.compareUnsigned(p.position(), h) >= 0) {
        return p.name();
      }
    }
    return points.get(0).name();
  }

  /**
   * Returns the owner of the first point, from the key's (the first at or after it) clockwise
   * around the whole circle, whose owner {@code eligible} accepts; null if none does.
   */
  @Nullable String owner(String key, Predicate<String> eligible) {
    if (points.isEmpty()) {
      return null;
    }
    long h = hash(key);
    int start = 0;
    while (start < points.size() && Long.compareUnsigned(points.get(start).position(), h) < 0) {
      start++;
    }
    for (int step = 0; step < points.size(); step++) {
      String name = points.get((start + step) % points.size()).name();
      if (eligible.test(name)) {
        return name;
      }
    }
    return null;
  }

  /** XXH3-64, seed 0, of {@code bytes}. */
  static long xxh3(byte[] bytes) {
    return Hashing.xxh3_64().hashBytesToLong(bytes);
  }

  /** The key hash of the format: XXH3-64 of the UTF-16LE code units of {@code key}. */
  static long hash(CharSequence key) {
    return xxh3(utf16le(key));
  }

  /** The virtual node position of the format: UTF-16LE({@code name}) then {@code i} as LE int32. */
  static long replica(String name, int i) {
    byte[] n = utf16le(name);
    byte[] b = new byte[n.length + 4];
    System.arraycopy(n, 0, b, 0, n.length);
    b[n.length] = (byte) i;
    b[n.length + 1] = (byte) (i >>> 8);
    b[n.length + 2] = (byte) (i >>> 16);
    b[n.length + 3] = (byte) (i >>> 24);
    return xxh3(b);
  }

  /**
   * Each UTF-16 code unit of {@code s} as two little-endian bytes. Built by hand rather than with
   * {@code getBytes(UTF_16LE)}, which would replace an unpaired surrogate.
   */
  static byte[] utf16le(CharSequence s) {
    byte[] b = new byte[s.length() * 2];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b[2 * i] = (byte) c;
      b[2 * i + 1] = (byte) (c >>> 8);
    }
    return b;
  }

  private record Point(long position, String name) {}
}
