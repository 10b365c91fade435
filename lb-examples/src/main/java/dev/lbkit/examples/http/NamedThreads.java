package dev.lbkit.examples.http;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code prefix-1}, {@code prefix-2}, ...: every thread the examples start
 * carries its service's name, so a test can tell that {@code close()} left none behind.
 */
public final class NamedThreads {

  private NamedThreads() {}

  /**
   * Returns a factory of daemon threads named {@code prefix} followed by a counter.
   *
   * @throws NullPointerException if {@code prefix} is null
   */
  public static ThreadFactory daemon(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
