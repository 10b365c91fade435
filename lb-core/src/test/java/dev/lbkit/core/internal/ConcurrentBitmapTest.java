package dev.lbkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrentBitmapTest {

  private static final int THREADS = 4;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * The race between emptying a word and refilling it: four threads, each owning every fourth bit
   * of a sparse bitmap (so words keep emptying and refilling, and with them the summary words above
   * and the parent's bit), set and clear their own bits. Once they stop, every summary must cover
   * what is set: {@code nextSetBit} from every position, and the parent bit, agree with what each
   * thread last did.
   */
  @Test
  void summariesCoverEveryBitOnceConcurrentSetsAndClearsStop() throws Exception {
    for (int size : new int[] {64, 320, 8_192}) {
      for (int round = 0; round < 20; round++) {
        int words = size / 64;
        ConcurrentBitmap parent = new ConcurrentBitmap(1);
        ConcurrentBitmap bitmap = new ConcurrentBitmap(size, parent, 0);
        BitSet[] owned = new BitSet[THREADS];
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          BitSet mine = owned[t] = new BitSet(size);
          int thread = t;
          SplittableRandom random = new SplittableRandom(size * 1_000L + round * 10L + t);
          tasks.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int op = 0; op < 50_000; op++) {
                      // Two bits per thread per word, set a fifth of the time: a word is empty
                      // about a sixth of the time, so words keep emptying and refilling.
                      int bit = 64 * random.nextInt(words) + thread + THREADS * random.nextInt(2);
                      if (mine.get(bit)) {
                        bitmap.clear(bit);
                        mine.clear(bit);
                      } else if (random.nextInt(4) == 0) {
                        bitmap.set(bit);
                        mine.set(bit);
                      }
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> task : tasks) {
          task.get(60, TimeUnit.SECONDS);
        }

        BitSet expected = new BitSet(size);
        for (BitSet mine : owned) {
          expected.or(mine);
        }
        for (int from = 0; from < size; from++) {
          int want = expected.nextSetBit(from);
          assertThat(bitmap.nextSetBit(from))
              .as("size %d, round %d, from %d", size, round, from)
              .isEqualTo(want < 0 ? -1 : want);
        }
        assertThat(parent.get(0))
            .as("size %d, round %d", size, round)
            .isEqualTo(!expected.isEmpty());
      }
    }
  }
}
