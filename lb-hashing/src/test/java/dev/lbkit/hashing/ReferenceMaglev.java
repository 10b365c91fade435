package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A from-scratch model of the documented Maglev table, written the way Eisenbud et al. (NSDI 2016,
 * "Populating the Maglev hashing lookup table") present it and sharing no code with {@link Maglev}
 * or {@link KeyHash}: each node's full permutation {@code permutation[i][j] = (offset + j x skip)
 * mod M} is materialized, with {@code offset = replica(name, 0) mod M} and {@code skip =
 * replica(name, 1) mod (M - 1) + 1} (hashes from {@link ReferenceRing}, bytes built by hand); nodes
 * take turns in name order, each claiming the next free slot of its permutation, until the table is
 * full. A key belongs to the owner of slot {@code hash(key) mod M}, unsigned.
 */
final class ReferenceMaglev {

  private final int size;
  private final String[] entry;

  ReferenceMaglev(Collection<String> nodeNames, int tableSize) {
    this(WeightedPlacements.uniform(nodeNames, 1), tableSize);
  }

  /**
   * The weighted table (Envoy's weighted population): in round {@code r = 1, 2, ...} a node of
   * weight {@code w} takes its turn only while {@code claims x maxWeight <= r x w}, {@code claims}
   * being the slots it has taken so far. With every weight equal, every node takes every turn.
   */
  ReferenceMaglev(Map<String, Integer> weights, int tableSize) {
    List<String> names = new ArrayList<>(new TreeSet<>(weights.keySet()));
    int n = names.size();
    long maxWeight = weights.values().stream().mapToLong(Integer::longValue).max().orElse(1);
    this.size = tableSize;
    if (n == 0) {
      this.entry = new String[0];
      return;
    }
    int[][] permutation = new int[n][tableSize];
    for (int i = 0; i < n; i++) {
      long offset = Long.remainderUnsigned(ReferenceRing.replica(names.get(i), 0), tableSize);
      long skip = Long.remainderUnsigned(ReferenceRing.replica(names.get(i), 1), tableSize - 1) + 1;
      for (int j = 0; j < tableSize; j++) {
        permutation[i][j] = (int) ((offset + j * skip) % tableSize);
      }
    }
    int[] next = new int[n];
    long[] claims = new long[n];
    String[] table = new String[tableSize];
    int filled = 0;
    for (long round = 1; filled < tableSize; round++) {
      for (int i = 0; i < n && filled < tableSize; i++) {
        if (claims[i] * maxWeight > round * weights.get(names.get(i))) {
          continue;
        }
        claims[i]++;
        int c = permutation[i][next[i]];
        while (table[c] != null) {
          next[i]++;
          c = permutation[i][next[i]];
        }
        table[c] = names.get(i);
        next[i]++;
        filled++;
      }
    }
    this.entry = table;
  }

  /** Returns the owner of {@code key}, or null when there are no nodes. */
  @Nullable String owner(String key) {
    if (entry.length == 0) {
      return null;
    }
    return entry[(int) Long.remainderUnsigned(ReferenceRing.hash(key), size)];
  }

  /** The table: element {@code s} is the name owning slot {@code s}; empty without nodes. */
  List<String> table() {
    return Arrays.asList(entry.clone());
  }
}
