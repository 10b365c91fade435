package dev.lbkit.hashing;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** The probe walk shared by the placements whose fallback order is a circular array of owners. */
final class ProbeOrder {

  private ProbeOrder() {}

  /**
   * Returns the first owner that {@code eligible} accepts, walking {@code owners} circularly from
   * {@code start}; null if none of the {@code distinct} nodes is eligible. Asks about each node
   * once, and allocates only once a node has been rejected.
   */
  static <N> @Nullable N firstEligible(
      Object[] owners, int start, int distinct, Predicate<? super N> eligible) {
    int total = owners.length;
    Set<Object> rejected = null; // created on the first rejection
    for (int step = 0; step < total; step++) {
      int i = start + step;
      @SuppressWarnings("unchecked") // callers' arrays hold only nodes of type N
      N candidate = (N) owners[i >= total ? i - total : i];
      if (rejected != null && rejected.contains(candidate)) {
        continue;
      }
      if (eligible.test(candidate)) {
        return candidate;
      }
      if (rejected == null) {
        rejected = Collections.newSetFromMap(new IdentityHashMap<>());
      }
      rejected.add(candidate);
      if (rejected.size() == distinct) {
        break;
      }
    }
    return null;
  }
}
