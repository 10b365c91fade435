package dev.lbkit.examples.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs tasks on as many threads at once, all released together by one start gate. */
final class Concurrently {

  private Concurrently() {}

  /**
   * Runs {@code task(0) .. task(threads - 1)}, each on its own thread, all starting at once once
   * every thread is ready, and returns their results in index order. Fails if they take more than
   * 60 s in all (they are bounded by CPU, not by waiting: this is a guard against a hang).
   */
  static <T> List<T> run(int threads, IntFunction<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>(threads);
      for (int i = 0; i < threads; i++) {
        int index = i;
        Callable<T> call =
            () -> {
              ready.countDown();
              if (!go.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the start gate never opened");
              }
              return task.apply(index);
            };
        futures.add(pool.submit(call));
      }
      if (!ready.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("threads not ready within 60 s");
      }
      go.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<T> results = new ArrayList<>(threads);
      for (Future<T> future : futures) {
        results.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
