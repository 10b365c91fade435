package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One writer and two readers, started together, for race tests: the writer makes a fixed number of
 * changes; each reader reads until the writer is done, and at least a given number of times.
 * Bounded by counts, not time; the only timeout guards against a hang. Call {@link #shutDown} after
 * each test.
 */
final class Race {

  static final Duration HANG_GUARD = Duration.ofSeconds(60);

  /** Step {@code i} of a writer or a reader; fails the race by throwing. */
  @FunctionalInterface
  interface Step {
    void run(int i) throws Exception;
  }

  private final ExecutorService pool = Executors.newFixedThreadPool(3);

  /**
   * Runs {@code changes} steps of {@code write} in one thread while two threads run {@code read}
   * until the writer is done and at least {@code minReads} times each; fails with the first step
   * that threw.
   */
  void run(int changes, Step write, int minReads, Step read) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writerDone = new AtomicBoolean();
    Callable<Integer> writer =
        () -> {
          start.await();
          try {
            for (int i = 0; i < changes; i++) {
              write.run(i);
            }
            return changes;
          } finally {
            writerDone.set(true);
          }
        };
    Callable<Integer> reader =
        () -> {
          start.await();
          int reads = 0;
          while (!writerDone.get() || reads < minReads) {
            read.run(reads++);
          }
          return reads;
        };
    Future<Integer> writing = pool.submit(writer);
    List<Future<Integer>> reading = List.of(pool.submit(reader), pool.submit(reader));
    start.countDown();

    assertThat(writing).succeedsWithin(HANG_GUARD).isEqualTo(changes);
    for (Future<Integer> f : reading) {
      assertThat(f.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isGreaterThanOrEqualTo(minReads);
    }
  }

  /** Stops the threads; call after each test. */
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }
}
