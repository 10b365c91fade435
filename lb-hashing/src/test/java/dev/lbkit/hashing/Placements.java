package dev.lbkit.hashing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test helpers shared by the {@link Maglev} and {@link Rendezvous} tests: key lists, placements,
 * and the exact recovery of a Maglev lookup table through the public API.
 */
final class Placements {

  private static final Map<Integer, List<String>> SLOT_KEYS = new ConcurrentHashMap<>();

  private Placements() {}

  static List<String> keys(String prefix, int count) {
    return ConsistentHashTest.keys(prefix, count);
  }

  /** Where each key lands; null entries (no nodes) are kept as null. */
  static <N> List<N> placement(Placement<N> placement, List<String> keys) {
    List<N> owners = new ArrayList<>(keys.size());
    for (String key : keys) {
      owners.add(placement.getNode(key));
    }
    return owners;
  }

  /** The slot a key falls in, as documented: {@code KeyHash.of(key)} mod tableSize, unsigned. */
  static int slotOf(String key, int tableSize) {
    return (int) Long.remainderUnsigned(KeyHash.of(key), tableSize);
  }

  /**
   * One key per slot of a table of {@code tableSize} slots: element {@code s} is the first of
   * "slot-0", "slot-1", ... whose hash falls in slot {@code s}. About {@code tableSize x
   * ln(tableSize)} hashes to find (the coupon collector), once per size; cached.
   */
  static List<String> slotKeys(int tableSize) {
    return SLOT_KEYS.computeIfAbsent(
        tableSize,
        size -> {
          String[] keys = new String[size];
          int found = 0;
          for (long i = 0; found < size; i++) {
            String key = "slot-" + i;
            int slot = slotOf(key, size);
            if (keys[slot] == null) {
              keys[slot] = key;
              found++;
            }
          }
          return List.of(keys);
        });
  }

  /**
   * Whether the Maglev permutations of {@code names} (as documented: {@code skip =
   * KeyHash.replica(name, 1) mod (tableSize - 1) + 1}) step apart: no two nodes share a skip, and
   * no two have skips that add up to {@code tableSize} (the same cycle walked the other way,
   * excluded as a precaution). Random names break this rarely: about 1.4e-3 of 10-node sets and
   * 1.3e-2 of 30-node sets at 65,537 slots. Two nodes with the same skip chase the same slots, and
   * a removal or weight change then moves far more of the table than on average (several percent,
   * at times over 10%). That is how Maglev behaves, not a defect, so the tests' collateral bounds
   * are meant for names for which this returns true.
   */
  static boolean maglevStepsApart(Iterable<String> names, int tableSize) {
    Set<Long> skips = new HashSet<>();
    for (String name : names) {
      long skip = Long.remainderUnsigned(KeyHash.replica(name, 1), tableSize - 1) + 1;
      if (skips.contains(skip) || skips.contains(tableSize - skip)) {
        return false;
      }
      skips.add(skip);
    }
    return true;
  }

  /**
   * The whole lookup table of {@code maglev}, read through {@link Maglev#getNode}: element {@code
   * s} is the owner of slot {@code s}. Exact, since a key's slot is computable from {@link
   * KeyHash}; empty when there are no nodes.
   */
  static <N> List<N> table(Maglev<N> maglev) {
    if (maglev.size() == 0) {
      return List.of();
    }
    return placement(maglev, slotKeys(maglev.tableSize()));
  }

  /** How many slots each node owns, every node listed in name order. */
  static <N> Map<N, Integer> slotCounts(Maglev<N> maglev) {
    Map<N, Integer> counts = new LinkedHashMap<>();
    for (N node : maglev.nodes()) {
      counts.put(node, 0);
    }
    for (N owner : table(maglev)) {
      counts.merge(owner, 1, Integer::sum);
    }
    return counts;
  }

  /** Counts the keys whose owner changed from {@code before} to {@code after}. */
  static <N> int moved(List<N> before, List<N> after) {
    int moved = 0;
    for (int k = 0; k < before.size(); k++) {
      if (!before.get(k).equals(after.get(k))) {
        moved++;
      }
    }
    return moved;
  }
}
