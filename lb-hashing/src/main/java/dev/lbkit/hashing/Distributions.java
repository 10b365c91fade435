package dev.lbkit.hashing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Counts keys per node against one snapshot of a placement: what getDistribution returns. */
final class Distributions {

  private Distributions() {}

  /** Finds a key's owner in one fixed snapshot. */
  @FunctionalInterface
  interface Lookup<N> {
    @Nullable N ownerOf(String key);
  }

  /**
   * Counts {@code keys} per node of {@code nodes} (every node listed, in the given order), owners
   * found by {@code owner}, which must read one fixed snapshot.
   */
  static <N> Map<N, Integer> count(List<N> nodes, Iterable<String> keys, Lookup<N> owner) {
    Objects.requireNonNull(keys, "keys");
    Map<N, Integer> counts = new LinkedHashMap<>();
    for (N node : nodes) {
      counts.put(node, 0);
    }
    for (String key : keys) {
      N node = owner.ownerOf(Objects.requireNonNull(key, "key"));
      if (node != null) {
        counts.merge(node, 1, Integer::sum);
      }
    }
    return Collections.unmodifiableMap(counts);
  }
}
