package dev.lbkit.examples.http;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks that a service's {@code close()} left no thread behind: takes the live threads before it
 * starts, and after it closes waits (a bounded wait: threads end asynchronously, such as the JDK
 * HttpServer's timer) until no other thread is alive.
 *
 * <p>Threads named {@code HttpClient-...} are left out: on Java 17 an {@code HttpClient} cannot be
 * closed and its selector thread ends only when the client is garbage collected (see {@link
 * JsonClient}); the tests' own client keeps its threads too.
 */
public final class Threads {

  private Threads() {}

  /** Returns the threads alive now. */
  public static Set<Thread> live() {
    return Set.copyOf(Thread.getAllStackTraces().keySet());
  }

  /** Waits until every thread alive but those in {@code before} (and HttpClient's) has ended. */
  public static void awaitNoneBut(Set<Thread> before) {
    Await.until(
        "every thread the service started has ended",
        () -> started(before).isEmpty(),
        () -> "still alive: " + started(before));
  }

  private static Set<String> started(Set<Thread> before) {
    return live().stream()
        .filter(t -> t.isAlive() && !before.contains(t))
        .map(Thread::getName)
        .filter(name -> !name.startsWith("HttpClient-"))
        .collect(Collectors.toSet());
  }
}
