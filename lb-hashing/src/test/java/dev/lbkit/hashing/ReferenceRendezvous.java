package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A from-scratch model of the documented rendezvous placement, sharing no code with {@link
 * Rendezvous} or {@link KeyHash}: node {@code s} scores {@code splitmix64Finalizer(hash(key) XOR
 * hash(s))} for a key (hashes from {@link ReferenceRing}, bytes built by hand), the scores are
 * sorted as unsigned numbers, highest first, ties by name, and the key goes to the first.
 */
final class ReferenceRendezvous {

  private final List<String> names;

  ReferenceRendezvous(Collection<String> nodeNames) {
    this.names = new ArrayList<>(new TreeSet<>(nodeNames));
  }

  /** Returns the owner of {@code key}, or null when there are no nodes. */
  @Nullable String owner(String key) {
    long k = ReferenceRing.hash(key);
    List<Scored> scored = new ArrayList<>();
    for (String name : names) {
      scored.add(new Scored(splitMix64Finalizer(k ^ ReferenceRing.hash(name)), name));
    }
    scored.sort(
        Comparator.comparing(Scored::score, (a, b) -> Long.compareUnsigned(b, a))
            .thenComparing(Scored::name));
    return scored.isEmpty() ? null : scored.get(0).name();
  }

  /**
   * The finalizer of Steele, Lea and Flood's SplitMix64 (Stafford's "Mix13" constants), as in
   * java.util.SplittableRandom#mix64.
   */
  static long splitMix64Finalizer(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private record Scored(long score, String name) {}
}
