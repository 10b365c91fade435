package dev.lbkit.core;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/** Threads for the hammer tests: each waits for a common start, runs, and reports what it threw. */
final class Racers {

  private Racers() {}

  /** What a racer runs. */
  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /**
   * Starts a daemon thread that waits for {@code start}, runs {@code body} and hands whatever it
   * throws to {@code onFailure}.
   */
  static Thread thread(CountDownLatch start, Consumer<Throwable> onFailure, Body body) {
    Thread t =
        new Thread(
            () -> {
              try {
                start.await();
                body.run();
              } catch (Throwable e) {
                onFailure.accept(e);
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
