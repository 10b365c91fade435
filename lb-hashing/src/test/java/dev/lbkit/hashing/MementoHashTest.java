package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Example-based tests of {@link MementoHash}, the bucket-level algorithm: the jump hash it stands
 * on, what removing and restoring buckets moves, the stack of removals, and bad input.
 */
class MementoHashTest {

  private static final int KEYS = 20_000;

  /** Key hashes from a fixed seed: arbitrary but reproducible. */
  private static long[] hashes(int count) {
    SplittableRandom random = new SplittableRandom(20_261_123L);
    long[] hashes = new long[count];
    for (int i = 0; i < count; i++) {
      hashes[i] = random.nextLong();
    }
    return hashes;
  }

  private static int[] buckets(MementoHash memento, long[] hashes) {
    int[] buckets = new int[hashes.length];
    for (int i = 0; i < hashes.length; i++) {
      buckets[i] = memento.getBucket(hashes[i]);
    }
    return buckets;
  }

  @Test
  void theJumpIsHash4jsJumpBackHashOverSplitMix64() {
    ConsistentBucketHasher hash4j = ConsistentHashing.jumpBackHashSplitMix64();
    long[] hashes = hashes(KEYS);
    for (int n : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 10, 100, 1000, 1023, 1024, 1025, 65_537}) {
      MementoHash memento = MementoHash.of(n);
      for (long h : hashes) {
        int expected = hash4j.getBucket(h, n);
        assertThat(MementoHash.jumpBack(h, n)).as("jumpBack(%d, %d)", h, n).isEqualTo(expected);
        assertThat(memento.getBucket(h)).as("nothing removed: the jump alone").isEqualTo(expected);
      }
    }
    assertThat(MementoHash.jumpBack(0x1234_5678_9abc_def0L, MementoHash.MAX_BUCKETS))
        .isEqualTo(hash4j.getBucket(0x1234_5678_9abc_def0L, MementoHash.MAX_BUCKETS));
  }

  @Test
  void removingAnyBucketMovesOnlyItsKeysAndRestoringMovesThemBack() {
    long[] hashes = hashes(KEYS);
    MementoHash full = MementoHash.of(10);
    int[] before = buckets(full, hashes);
    for (int removed = 0; removed < 10; removed++) {
      MementoHash without = full.removeBucket(removed);
      assertThat(without.size()).isEqualTo(9);
      assertThat(without.isWorking(removed)).isFalse();
      int[] after = buckets(without, hashes);
      int moved = 0;
      for (int k = 0; k < hashes.length; k++) {
        if (before[k] == removed) {
          assertThat(after[k]).isNotEqualTo(removed).isBetween(0, 9);
          moved++;
        } else {
          assertThat(after[k]).as("collateral move of key %d", k).isEqualTo(before[k]);
        }
      }
      assertThat(moved).isPositive();
      assertThat(without.nextBucket()).isEqualTo(removed);
      assertThat(buckets(without.addBucket(), hashes)).isEqualTo(before);
    }
  }

  /**
   * The removals form a stack: adding restores the bucket removed last, then the one before; once
   * none is removed, adding appends. Removing the last bucket while none other is removed shrinks
   * the b-array, as a plain jump hash would.
   */
  @Test
  void addingRestoresTheBucketRemovedLastThenAppends() {
    MementoHash m = MementoHash.of(6).removeBucket(5);
    assertThat(m.arraySize()).as("the last bucket shrinks the b-array").isEqualTo(5);
    assertThat(m.nextBucket()).isEqualTo(5);

    m = m.removeBucket(1).removeBucket(4).removeBucket(2);
    assertThat(m.size()).isEqualTo(2);
    assertThat(m.arraySize()).as("4 was not the only removed bucket: remembered").isEqualTo(5);
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      order.append(m.nextBucket());
      m = m.addBucket();
    }
    assertThat(order).hasToString("24156");
    assertThat(m.size()).isEqualTo(7);
    assertThat(m.arraySize()).isEqualTo(7);
    assertThat(m.toString()).isEqualTo("MementoHash{size=7, arraySize=7}");
  }

  @Test
  void restoringEveryRemovalInReverseGivesBackTheOriginalMapping() {
    long[] hashes = hashes(KEYS);
    MementoHash original = MementoHash.of(100);
    int[] before = buckets(original, hashes);
    MementoHash m = original;
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 60; i++) { // remove 60 random working buckets
      int b;
      do {
        b = random.nextInt(100);
      } while (!m.isWorking(b));
      m = m.removeBucket(b);
    }
    int[] during = buckets(m, hashes);
    for (int bucket : during) {
      assertThat(m.isWorking(bucket)).isTrue();
    }
    for (int i = 0; i < 60; i++) {
      m = m.addBucket();
    }
    assertThat(buckets(m, hashes)).isEqualTo(before);
    assertThat(m.arraySize()).isEqualTo(100);
  }

  @Test
  void everyBucketCanGoAndComeBack() {
    MementoHash m = MementoHash.of(3).removeBucket(0).removeBucket(2).removeBucket(1);
    assertThat(m.size()).isZero();
    assertThatThrownBy(
            () -> MementoHash.of(3).removeBucket(0).removeBucket(2).removeBucket(1).getBucket(42L))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no working bucket");
    m = m.addBucket();
    assertThat(m.getBucket(42L)).isEqualTo(1);
    assertThatThrownBy(() -> MementoHash.of(0).getBucket(1L))
        .isInstanceOf(IllegalStateException.class);
    assertThat(MementoHash.of(0).addBucket().getBucket(1L)).isZero();
  }

  @Test
  void badInputIsRejectedWithTheValue() {
    assertThatThrownBy(() -> MementoHash.of(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("buckets: -1 (expected: 0..16777216)");
    assertThatThrownBy(() -> MementoHash.of(MementoHash.MAX_BUCKETS + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buckets: 16777217");
    MementoHash m = MementoHash.of(4).removeBucket(1);
    for (int bad : new int[] {-1, 1, 4}) {
      assertThatThrownBy(() -> m.removeBucket(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("bucket: " + bad + " (expected: a working bucket in 0..3)");
    }
    assertThat(m.isWorking(-1)).isFalse();
    assertThat(m.isWorking(4)).isFalse();
    assertThat(m.isWorking(3)).isTrue();
  }
}
