package dev.lbkit.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A fixed-size set of bits that many threads set and clear at once, with summary layers so that
 * {@link #nextSetBit} skips empty stretches 64 words at a time: layer 0 holds one bit per position,
 * layer k + 1 one bit per word of layer k ("this word may have a bit set"), up to a layer of one
 * word. 10^4 bits take three layers (157 words, 3, 1), 10^6 bits four (15,625, 245, 4, 1).
 *
 * <p>A bitmap may itself be one bit of a parent bitmap: the parent's bit {@code indexInParent} then
 * plays the part of one more summary layer above this bitmap's top word, so a parent over several
 * bitmaps finds the first non-empty one the same way.
 *
 * <p>{@link #set} and {@link #clear}: lock-free, no allocation, O(layers) atomic operations at most
 * and usually one. {@link #nextSetBit}: lock-free, no allocation, O(layers) word reads when the
 * summaries are accurate.
 */
final class ConcurrentBitmap {

  /*
   * Keeping the summaries right without a lock. A word's summary bit (in the layer above, or in
   * the parent) must be set whenever the word has a bit set; it may be set while the word is empty
   * (a "stale" summary bit costs a search one extra read, and the search clears it).
   *
   *  - Set: an atomic OR on the word. Only the thread that turns an empty word non-empty goes on
   *    to set the summary bit; if the word was already non-empty, its summary bit is the business
   *    of whoever made it non-empty.
   *  - Clear: an atomic AND-NOT on the word. Only the thread that empties the word goes on to
   *    clear the summary bit, and then re-reads the word: if another thread refilled it in between,
   *    that thread's summary set may have landed before our summary clear, so we set the summary
   *    bit again.
   *
   * Once the bits stop changing, every non-empty word has its summary bit set: take the last time
   * a word became empty; the thread that emptied it cleared the summary bit and then re-read the
   * word. Either that re-read saw a later refill (and set the summary bit after its own clear), or
   * the refill came after the re-read, and the refilling thread set the summary bit after that.
   * Every access is a volatile one (sequentially consistent), which the argument needs: the
   * re-read must not move before the clear.
   */

  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

  private final int size;
  private final long[][] layers;
  private final @Nullable ConcurrentBitmap parent;
  private final int indexInParent;

  /**
   * Creates an empty bitmap of {@code size} bits.
   *
   * @throws IllegalArgumentException if {@code size} is below 1
   */
  ConcurrentBitmap(int size) {
    this(size, null, 0);
  }

  /**
   * Creates an empty bitmap of {@code size} bits whose non-emptiness is bit {@code indexInParent}
   * of {@code parent}.
   *
   * @throws IllegalArgumentException if {@code size} is below 1
   */
  ConcurrentBitmap(int size, @Nullable ConcurrentBitmap parent, int indexInParent) {
    if (size < 1) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
    }
    this.size = size;
    this.parent = parent;
    this.indexInParent = indexInParent;
    List<long[]> built = new ArrayList<>();
    long bits = size;
    do {
      int words = (int) ((bits + 63) >>> 6);
      built.add(new long[words]);
      bits = words;
    } while (bits > 1);
    this.layers = built.toArray(new long[0][]);
  }

  /** Returns the number of bits. */
  int size() {
    return size;
  }

  /** Returns whether bit {@code i} is set. */
  boolean get(int i) {
    return (word(layers[0], i >>> 6) & (1L << i)) != 0;
  }

  /**
   * Returns whether no bit is set, as far as the top summary word says: true is exact, false may be
   * stale (the last bit was just cleared, or a summary bit is stale).
   */
  boolean looksEmpty() {
    return word(layers[layers.length - 1], 0) == 0;
  }

  /** Sets bit {@code i}. */
  void set(int i) {
    setFrom(0, i);
  }

  /** Clears bit {@code i}. */
  void clear(int i) {
    clearFrom(0, i);
  }

  /**
   * Returns the first set bit at or after {@code from}, or -1 if there is none (or {@code from} is
   * at least the size). Clears the stale summary bits it meets on the way.
   *
   * @param from at least 0
   */
  int nextSetBit(int from) {
    if (from >= size) {
      return -1;
    }
    int top = layers.length - 1;
    int k = 0;
    int w = from >>> 6;
    long word = word(layers[0], w) & (-1L << from);
    while (true) {
      // Go down while the current word has a candidate: its lowest bit names a word below.
      while (word != 0) {
        int p = (w << 6) | Long.numberOfTrailingZeros(word);
        if (k == 0) {
          return p;
        }
        long below = word(layers[k - 1], p);
        if (below != 0) {
          k--;
          w = p;
          word = below;
        } else {
          repairSummary(k, p);
          word &= word - 1;
        }
      }
      // Nothing left in word w of layer k: go on after it, one layer up.
      if (k == top) {
        return -1;
      }
      int next = w + 1;
      k++;
      w = next >>> 6;
      if (w >= layers[k].length) {
        return -1;
      }
      word = word(layers[k], w) & (-1L << next);
    }
  }

  /**
   * If the top word is empty, clears this bitmap's bit in the parent, then sets it again should a
   * concurrent set have refilled this bitmap meanwhile (a stale parent bit otherwise stays set).
   */
  void repairParentBit() {
    ConcurrentBitmap up = parent;
    long[] topLayer = layers[layers.length - 1];
    if (up == null || word(topLayer, 0) != 0) {
      return;
    }
    up.clearFrom(0, indexInParent);
    if (word(topLayer, 0) != 0) {
      up.setFrom(0, indexInParent);
    }
  }

  /** Clears the stale summary bit {@code p} of layer {@code k}, keeping it if word p refilled. */
  private void repairSummary(int k, int p) {
    clearFrom(k, p);
    if (word(layers[k - 1], p) != 0) {
      setFrom(k, p);
    }
  }

  private void setFrom(int layer, int index) {
    ConcurrentBitmap bitmap = this;
    int k = layer;
    int i = index;
    while (true) {
      long[][] ls = bitmap.layers;
      for (; k < ls.length; k++) {
        long bit = 1L << i;
        int w = i >>> 6;
        if ((word(ls[k], w) & bit) != 0) {
          return; // already set: nothing changes, above included
        }
        long old = (long) WORDS.getAndBitwiseOr(ls[k], w, bit);
        if (old != 0) {
          return; // the word was not empty: its summary bit is set (or being set) already
        }
        i = w;
      }
      ConcurrentBitmap up = bitmap.parent;
      if (up == null) {
        return;
      }
      i = bitmap.indexInParent;
      bitmap = up;
      k = 0;
    }
  }

  private void clearFrom(int k, int i) {
    long[] layer = layers[k];
    long bit = 1L << i;
    int w = i >>> 6;
    if ((word(layer, w) & bit) == 0) {
      return;
    }
    long old = (long) WORDS.getAndBitwiseAnd(layer, w, ~bit);
    if (old != bit) {
      return; // the bit was already clear, or the word keeps other bits
    }
    // We emptied word w: clear its summary bit, then set it again if the word was refilled.
    if (k + 1 < layers.length) {
      clearFrom(k + 1, w);
      if (word(layer, w) != 0) {
        setFrom(k + 1, w);
      }
    } else {
      ConcurrentBitmap up = parent;
      if (up != null) {
        up.clearFrom(0, indexInParent);
        if (word(layer, 0) != 0) {
          up.setFrom(0, indexInParent);
        }
      }
    }
  }

  private static long word(long[] layer, int w) {
    return (long) WORDS.getVolatile(layer, w);
  }
}
