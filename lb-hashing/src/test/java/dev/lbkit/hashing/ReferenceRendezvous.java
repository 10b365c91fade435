package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
  private final @Nullable Map<String, Integer> weights; // null while every weight is 1

  ReferenceRendezvous(Collection<String> nodeNames) {
    this(WeightedPlacements.uniform(nodeNames, 1));
  }

  /**
   * The weighted placement (the logarithmic method): with {@code u} the top 53 bits of the
   * unweighted score as a number in (0, 1), {@code (bits + 0.5) / 2^53} but at most the largest
   * double below 1, node {@code s} of weight {@code w} scores {@code -w / ln(u)}. While every
   * weight is 1 the unweighted score is used.
   */
  ReferenceRendezvous(Map<String, Integer> weights) {
    this.names = new ArrayList<>(new TreeSet<>(weights.keySet()));
    this.weights = weights.values().stream().allMatch(w -> w == 1) ? null : Map.copyOf(weights);
  }

  /** Returns the owner of {@code key}, or null when there are no nodes. */
  @Nullable String owner(String key) {
    long k = ReferenceRing.hash(key);
    List<Scored> scored = new ArrayList<>();
    for (String name : names) {
      long score = splitMix64Finalizer(k ^ ReferenceRing.hash(name));
      if (weights != null) {
        double u = Math.min(((score >>> 11) + 0.5) / 9007199254740992.0, Math.nextDown(1.0));
        // a positive double's bits, read as a number, order like the double itself
        score = Double.doubleToLongBits(-weights.get(name) / Math.log(u));
      }
      scored.add(new Scored(score, name));
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
