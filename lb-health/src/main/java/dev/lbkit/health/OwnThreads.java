package dev.lbkit.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the named daemon threads of one executor and remembers them, so that its owner can wait
 * until every one of them has ended. An executor's {@code awaitTermination} is not enough for that:
 * it returns once the last worker has finished its tasks, when that worker's thread may still be
 * alive for a moment on its way out.
 */
final class OwnThreads implements ThreadFactory {

  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  /** Threads will be named {@code prefix} followed by 1, 2, 3, ... */
  OwnThreads(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable task) {
    threads.removeIf(t -> t.getState() == Thread.State.TERMINATED); // a cached pool churns
    Thread thread = new Thread(task, prefix + count.incrementAndGet());
    thread.setDaemon(true);
    threads.add(thread);
    return thread;
  }

  /**
   * Waits until every thread made here has ended, or until {@code deadlineNanos} on {@link
   * System#nanoTime()}; the calling thread, if it is one of them, is not waited for.
   *
   * @return the names of the threads still alive, empty if none is
   * @throws InterruptedException if interrupted while waiting
   */
  List<String> awaitEnded(long deadlineNanos) throws InterruptedException {
    List<String> alive = new ArrayList<>();
    for (Thread thread : threads) {
      if (thread == Thread.currentThread() || thread.getState() == Thread.State.NEW) {
        continue; // itself, or never started: nothing to wait for
      }
      TimeUnit.NANOSECONDS.timedJoin(thread, deadlineNanos - System.nanoTime());
      if (thread.isAlive()) {
        alive.add(thread.getName());
      }
    }
    return alive;
  }
}
