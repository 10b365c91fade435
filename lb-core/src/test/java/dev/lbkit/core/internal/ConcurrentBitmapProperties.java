package dev.lbkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The bitmap against {@link BitSet}, single-threaded: after any sets and clears, {@code nextSetBit}
 * from every position agrees, at sizes around the word (64) and summary-word (4096) boundaries,
 * where one to three layers are in play.
 */
class ConcurrentBitmapProperties {

  /** One operation: set (true) or clear bit {@code seed mod size}. */
  record Op(boolean set, int seed) {}

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.integers().between(1, 200)),
        Tuple.of(1, Arbitraries.of(63, 64, 65, 4095, 4096, 4097, 9000)));
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    // Sets outnumber clears two to one, so the bitmaps fill up as well as empty out.
    Arbitrary<Boolean> set = Arbitraries.of(true, true, false);
    return Combinators.combine(set, Arbitraries.integers().greaterOrEqual(0))
        .as(Op::new)
        .list()
        .ofMaxSize(400);
  }

  @Property(tries = 300)
  void nextSetBitAgreesWithBitSetFromEveryPosition(
      @ForAll("sizes") int size, @ForAll("ops") List<Op> ops) {
    ConcurrentBitmap bitmap = new ConcurrentBitmap(size);
    BitSet expected = new BitSet(size);
    for (Op op : ops) {
      int i = op.seed() % size;
      if (op.set()) {
        bitmap.set(i);
        expected.set(i);
      } else {
        bitmap.clear(i);
        expected.clear(i);
      }
    }
    for (int from = 0; from <= size; from++) {
      int want = expected.nextSetBit(from);
      assertThat(bitmap.nextSetBit(from)).as("from %d", from).isEqualTo(want < 0 ? -1 : want);
    }
    for (int i = 0; i < size; i++) {
      assertThat(bitmap.get(i)).as("bit %d", i).isEqualTo(expected.get(i));
    }
    assertThat(bitmap.looksEmpty()).isEqualTo(expected.isEmpty());
  }

  @Property(tries = 200)
  void aParentBitIsSetExactlyWhileItsChildHasABit(
      @ForAll("sizes") int size, @ForAll("ops") List<Op> ops) {
    ConcurrentBitmap parent = new ConcurrentBitmap(3);
    ConcurrentBitmap[] children = {
      new ConcurrentBitmap(size, parent, 0),
      new ConcurrentBitmap(size, parent, 1),
      new ConcurrentBitmap(size, parent, 2)
    };
    BitSet[] expected = {new BitSet(), new BitSet(), new BitSet()};
    for (Op op : ops) {
      int child = op.seed() % 3;
      int i = (op.seed() / 3) % size;
      if (op.set()) {
        children[child].set(i);
        expected[child].set(i);
      } else {
        children[child].clear(i);
        expected[child].clear(i);
      }
      for (int c = 0; c < 3; c++) {
        assertThat(parent.get(c)).as("child %d", c).isEqualTo(!expected[c].isEmpty());
      }
    }
  }
}
