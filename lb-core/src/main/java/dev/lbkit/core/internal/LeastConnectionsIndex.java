package dev.lbkit.core.internal;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Least-connections picks over a fixed array of slots in O(log n) rather than a scan: the slot with
 * the fewest connections; among those tied for fewest, the first in round-robin order starting from
 * position {@code sequence mod n} and wrapping around, exactly what a full scan from that position
 * returns. With no connections open the picks are a plain round robin.
 *
 * <p>The counts stay where they are (on the servers); the index reads them through {@link Counts}
 * and keeps, for each count, the set of slots holding it. Its owner must:
 *
 * <ol>
 *   <li>call {@link #countChanged} after every change of a slot's count, once the new count can be
 *       read through {@link Counts} (after the atomic update on the counter returns), from the
 *       thread that made the change or any other, in any order and as late as need be;
 *   <li>after publishing a new index in place of an old one, call {@link #refreshAll()} once:
 *       changes made while the new index was being built may have told only the old one.
 * </ol>
 *
 * <p>Costs: {@link #pick}: lock-free, no allocation (see below), a few word reads per summary layer
 * (four layers at n = 10^6) plus two count reads; {@link #countChanged}: lock-free, usually two
 * atomic operations and one count read, no allocation. Memory: about n / 8 bytes for each count
 * that some slot has reached, allocated the first time one does (the only allocation in any method)
 * and kept until the index is dropped; at most 257 of them (counts 0 to 255, and one level for 256
 * and more), so 32 MB at most for n = 10^6, and 125 kB for each count reached.
 *
 * <p>Thread-safe. Exact once the changes have been reported; while they are in flight, the pick is
 * the least loaded slot as of the reads, like a scan's (see the design note in the source).
 */
public final class LeastConnectionsIndex {

  /*
   * Design.
   *
   * Levels. Level c (0 <= c < DENSE_LEVELS) is a ConcurrentBitmap of the slots believed to hold c
   * connections; one overflow level holds the slots believed to hold DENSE_LEVELS or more. A
   * bitmap of levels ("nonEmpty", each level bitmap is one bit of it) finds the lowest non-empty
   * level in a couple of word reads. A pick takes the lowest non-empty level and, in it, the first
   * set bit at or after start, wrapping: with the bitmaps' summary layers, O(log64 n) words.
   *
   * What the pick trusts. The bitmaps are hints. A slot may have stale bits in levels it has left;
   * the one thing the index keeps is the invariant
   *
   *     (I) once changes stop, every slot has its bit set in the level of its true count.
   *
   * Under (I) a verified pick is exact: the lowest non-empty level L is at most the level of the
   * true minimum; the first bit at or after start in L is slot s; the pick reads s's count and, if
   * it is in L, returns s. Then L is the true minimum (s holds it), and every slot holding it has
   * its bit in L (I) and none comes before s in the rotation. If s's count is not in L, s's bit was
   * stale: the pick moves s to its true level and tries again (a few times, then it falls back to
   * a full scan). Stale bits in levels above a slot's true one are never found first (the slot's
   * true bit is in a lower, non-empty level) and cost nothing until they are found and moved.
   *
   * Keeping (I) under any interleaving. countChanged(slot, from, to) sets the slot's bit in
   * level(to), clears it in level(from), then re-reads the count and sets level(from) again if the
   * count is back there. A repair in pick does the same (its "from" is the level it found the slot
   * in). So every clear of a slot's bit is followed by a re-read of the count. Take the final count
   * and its level F, and the last clear of the slot's bit in F: either its re-read saw the count in
   * F (and set the bit after that clear), or the count entered F after the re-read, and the
   * countChanged reporting that entry set the bit after it. Either way the bit ends set. (With no
   * such clear, the bit set by the constructor's read or by the report of the count's last entry
   * into F is still there.) Events may therefore arrive late, out of order, or twice, on this
   * index or an old one: the from and to values say which bits to touch, the count read says what
   * is true.
   *
   * Lost events. An event that never reaches this index (it went to the index this one replaced)
   * can break (I) for its slot. If the count rose, the slot's bit sits in a level below the truth,
   * where a pick finds it, sees the mismatch and moves it. If the count fell, the slot is missing
   * from its true level and no pick can tell; hence refreshAll() after a rebuild, and, as a
   * backstop, every pick refreshes the slot at its start position (one count read and one word
   * read), so any slot is set right again within n picks.
   *
   * Overflow. Counts of DENSE_LEVELS and more share one level, whose pick reads the count of every
   * slot in it (O(slots in it), exact: the minimum count, ties in rotation order). It is reached
   * only when every slot has at least DENSE_LEVELS connections.
   *
   * While changes are in flight, a slot whose count has changed but whose event has not yet been
   * applied may be missed, so the pick is "least as of the reads", as a scan that reads n counts
   * one after another also is. Every returned slot is in range, and its count, read during the
   * pick, put it in the lowest level the pick found non-empty (in the overflow level, it was also
   * the lowest count read there; after the fallback scan, the lowest count the scan read).
   */

  /** Reads a slot's current count. */
  @FunctionalInterface
  public interface Counts {

    /**
     * Returns the number of active connections of {@code slot}, at least 0; called from any thread,
     * so it must read the live value (a volatile or acquire read).
     */
    int count(int slot);
  }

  /** Counts below this have a level each; higher counts share the overflow level. */
  static final int DENSE_LEVELS = 256;

  /** Verified searches a pick tries, each after a repair, before it scans. */
  private static final int ATTEMPTS = 8;

  private static final int NONE = -1;

  private final int size;
  private final Counts counts;
  private final int overflow;
  private final ConcurrentBitmap nonEmpty;
  private final AtomicReferenceArray<@Nullable ConcurrentBitmap> levels;

  /**
   * Creates an index of {@code size} slots, reading every slot's count once.
   *
   * @throws NullPointerException if {@code counts} is null
   * @throws IllegalArgumentException if {@code size} is below 1
   */
  public LeastConnectionsIndex(int size, Counts counts) {
    this(size, counts, DENSE_LEVELS);
  }

  /** Creates an index whose overflow level starts at {@code denseLevels} connections. */
  LeastConnectionsIndex(int size, Counts counts, int denseLevels) {
    if (size < 1) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
    }
    if (denseLevels < 1) {
      throw new IllegalArgumentException("denseLevels: " + denseLevels + " (expected: >= 1)");
    }
    this.size = size;
    this.counts = Objects.requireNonNull(counts, "counts");
    this.overflow = denseLevels;
    this.nonEmpty = new ConcurrentBitmap(denseLevels + 1);
    this.levels = new AtomicReferenceArray<>(denseLevels + 1);
    refreshAll();
  }

  /** Returns the number of slots. */
  public int size() {
    return size;
  }

  /**
   * Reports that {@code slot}'s count changed from {@code from} to {@code to}. Call it after the
   * new count is readable through {@link Counts}; from any thread, concurrently with anything.
   * Lock-free; usually two atomic operations and one count read; allocates only the first time any
   * slot reaches a count that none had reached before.
   *
   * @throws IndexOutOfBoundsException if {@code slot} is not in {@code [0, size)}
   */
  public void countChanged(int slot, int from, int to) {
    Objects.checkIndex(slot, size);
    int fromLevel = levelOf(from);
    int toLevel = levelOf(to);
    if (fromLevel != toLevel) {
      move(slot, fromLevel, toLevel);
    }
  }

  /**
   * Reads {@code slot}'s count and makes sure the slot is found in its level. For a slot whose
   * changes may not have been reported to this index.
   *
   * @throws IndexOutOfBoundsException if {@code slot} is not in {@code [0, size)}
   */
  public void refresh(int slot) {
    Objects.checkIndex(slot, size);
    ConcurrentBitmap level = level(levelOf(counts.count(slot)));
    if (!level.get(slot)) {
      level.set(slot);
    }
  }

  /** {@link #refresh Refreshes} every slot: O(n). Call it once after publishing a new index. */
  public void refreshAll() {
    for (int slot = 0; slot < size; slot++) {
      refresh(slot);
    }
  }

  /**
   * Returns the slot with the fewest connections; among those tied, the first at or after {@code
   * Long.remainderUnsigned(sequence, size)}, wrapping around. Lock-free, no allocation but the one
   * noted on the class; O(log n) word reads, two count reads, and a bounded number of repairs if
   * the index was stale, then an O(n) scan in the worst case.
   */
  public int pick(long sequence) {
    int start = start(sequence, size);
    refresh(start);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int slot = attempt(start);
      if (slot != NONE) {
        return slot;
      }
    }
    return scan(start);
  }

  /** One verified search: the pick, or {@link #NONE} after a repair (the caller tries again). */
  private int attempt(int start) {
    for (int l = nonEmpty.nextSetBit(0); l != NONE; l = nonEmpty.nextSetBit(l + 1)) {
      ConcurrentBitmap level = levels.get(l);
      if (level == null) {
        continue; // never: a level's bit is set only once the level exists
      }
      if (l == overflow) {
        return overflowPick(level, start);
      }
      int slot = level.nextSetBit(start);
      if (slot == NONE) {
        slot = level.nextSetBit(0);
      }
      if (slot == NONE) {
        level.repairParentBit(); // the level looked non-empty and was not
        continue;
      }
      int count = counts.count(slot);
      if (levelOf(count) == l) {
        return slot;
      }
      move(slot, l, levelOf(count));
      return NONE;
    }
    return NONE;
  }

  /**
   * The pick among the slots in the overflow level, by reading all their counts in rotation order;
   * {@link #NONE} after moving a slot that did not belong there.
   */
  private int overflowPick(ConcurrentBitmap level, int start) {
    int best = NONE;
    int fewest = Integer.MAX_VALUE;
    for (int slot = level.nextSetBit(start); slot != NONE; slot = level.nextSetBit(slot + 1)) {
      int count = counts.count(slot);
      if (levelOf(count) != overflow) {
        move(slot, overflow, levelOf(count));
        return NONE;
      }
      if (count < fewest) {
        best = slot;
        fewest = count;
      }
    }
    for (int slot = level.nextSetBit(0);
        slot != NONE && slot < start;
        slot = level.nextSetBit(slot + 1)) {
      int count = counts.count(slot);
      if (levelOf(count) != overflow) {
        move(slot, overflow, levelOf(count));
        return NONE;
      }
      if (count < fewest) {
        best = slot;
        fewest = count;
      }
    }
    if (best == NONE) {
      level.repairParentBit();
    }
    return best;
  }

  /**
   * Puts {@code slot} in level {@code to} and takes it out of level {@code from}, then puts it back
   * in {@code from} if its count has returned there meanwhile: the step that keeps invariant (I).
   */
  private void move(int slot, int from, int to) {
    level(to).set(slot);
    ConcurrentBitmap old = levels.get(from);
    if (old != null) {
      old.clear(slot);
      if (levelOf(counts.count(slot)) == from) {
        old.set(slot);
      }
    }
  }

  /** The last resort: LeastScan's rule over every slot's count. */
  private int scan(int start) {
    int best = start;
    int fewest = counts.count(start);
    for (int i = start + 1; i < size && fewest > 0; i++) {
      int count = counts.count(i);
      if (count < fewest) {
        best = i;
        fewest = count;
      }
    }
    for (int i = 0; i < start && fewest > 0; i++) {
      int count = counts.count(i);
      if (count < fewest) {
        best = i;
        fewest = count;
      }
    }
    return best;
  }

  /** Returns level {@code l}, creating it the first time. */
  private ConcurrentBitmap level(int l) {
    ConcurrentBitmap level = levels.get(l);
    if (level != null) {
      return level;
    }
    ConcurrentBitmap created = new ConcurrentBitmap(size, nonEmpty, l);
    return levels.compareAndSet(l, null, created) ? created : Objects.requireNonNull(levels.get(l));
  }

  private int levelOf(int count) {
    return count <= 0 ? 0 : Math.min(count, overflow);
  }

  /**
   * Returns {@code sequence mod size}, reading {@code sequence} as unsigned so the order stays 0,
   * 1, ..., size - 1, 0, ... for 2^64 picks; 32-bit division while the sequence fits in 31 bits, as
   * lb-core's {@code Sequences.index} does.
   */
  private static int start(long sequence, int size) {
    if ((sequence >>> 31) == 0) {
      return (int) sequence % size;
    }
    return (int) Long.remainderUnsigned(sequence, size);
  }
}
