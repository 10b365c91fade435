package dev.lbkit.health;

import dev.lbkit.core.Ticker;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The threads a {@link HealthChecker} owns, and the executors and HTTP clients built on them: a
 * timer (probe deadlines, and rounds when no scheduler is given), probe threads, callback threads
 * and the shared HTTP clients of its {@code Probe.http} probes. All are made lazily, while open;
 * {@link #shutdown} ends every one of them and returns once each thread has ended.
 *
 * <p>Every thread is made in one {@link ThreadGroup} per open period. That is how the HTTP clients'
 * selector threads are found: {@code java.net.http.HttpClient} makes that thread itself (no
 * executor we pass runs it) in the group of the thread that builds the client, and JDK 17 has no
 * {@code HttpClient.close()}. So each client is built on a short-lived thread of ours, its selector
 * thread lands in our group, and shutdown interrupts it, which ends it (its loop checks the
 * interrupt flag), after the client's executor is shut down. Thread-safe.
 */
final class CheckerThreads {

  private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());

  /** How long {@link #shutdown} waits for threads to end once told to; read on the ticker. */
  static final Duration THREAD_END_WAIT = Duration.ofSeconds(2);

  private static final Object NO_SSL_CONTEXT = new Object();

  private final Ticker ticker;
  private final AtomicInteger count = new AtomicInteger();
  private final Set<Thread> made = ConcurrentHashMap.newKeySet();

  private final Object lock = new Object();
  private boolean open; // guarded by lock
  private @Nullable ThreadGroup group; // guarded by lock
  private @Nullable ScheduledThreadPoolExecutor timer; // guarded by lock
  private @Nullable ThreadPoolExecutor probes; // guarded by lock
  private @Nullable ThreadPoolExecutor callbacks; // guarded by lock
  private @Nullable ThreadPoolExecutor clientExecutor; // guarded by lock
  private final Map<Object, HttpClient> clients = new HashMap<>(); // guarded by lock

  CheckerThreads(Ticker ticker) {
    this.ticker = ticker;
  }

  /** Lets the getters make threads again, after construction or a {@link #shutdown}. */
  void open() {
    synchronized (lock) {
      open = true;
    }
  }

  /** The real-time timer: one thread. */
  ScheduledExecutorService timer() {
    synchronized (lock) {
      ScheduledThreadPoolExecutor t = timer;
      if (t == null) {
        t = new ScheduledThreadPoolExecutor(1, factory("lbkit-health-timer-"));
        t.setRemoveOnCancelPolicy(true);
        timer = t;
      }
      return t;
    }
  }

  /** The probe threads: as many as probes run at once, idle ones ending after a minute. */
  ExecutorService probes() {
    synchronized (lock) {
      ThreadPoolExecutor p = probes;
      if (p == null) {
        p = cached("lbkit-health-probe-");
        probes = p;
      }
      return p;
    }
  }

  /** The callback threads. */
  ExecutorService callbacks() {
    synchronized (lock) {
      ThreadPoolExecutor c = callbacks;
      if (c == null) {
        c = cached("lbkit-health-callback-");
        callbacks = c;
      }
      return c;
    }
  }

  /** The one HTTP client of this checker for {@code ssl} (null: the JDK's default context). */
  HttpClient httpClient(@Nullable SSLContext ssl) {
    Object key = ssl == null ? NO_SSL_CONTEXT : ssl;
    synchronized (lock) {
      HttpClient client = clients.get(key);
      if (client == null) {
        ThreadPoolExecutor executor = clientExecutor;
        if (executor == null) {
          executor = cached("lbkit-health-http-");
          clientExecutor = executor;
        }
        client = buildInOurGroup(HttpProbe.clientBuilder(ssl).executor(executor));
        clients.put(key, client);
      }
      return client;
    }
  }

  /** Builds the client on a thread of ours, so that its selector thread joins our group. */
  private HttpClient buildInOurGroup(HttpClient.Builder builder) {
    FutureTask<HttpClient> build = new FutureTask<>(builder::build);
    Thread thread = factory("lbkit-health-http-build-").newThread(build);
    thread.start();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return build.get();
        } catch (InterruptedException e) {
          interrupted = true; // building takes a moment; finish it, then pass the interrupt on
        } catch (ExecutionException e) {
          throw new IllegalStateException("cannot build the HTTP client", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private ThreadPoolExecutor cached(String prefix) {
    return new ThreadPoolExecutor(
        0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory(prefix));
  }

  /** Makes daemon threads named {@code prefix} + n in this period's group; under the lock. */
  private ThreadFactory factory(String prefix) {
    if (!open) {
      throw new RejectedExecutionException("the health checker is stopped");
    }
    ThreadGroup g = group;
    if (g == null) {
      g = new ThreadGroup("lbkit-health");
      group = g;
    }
    ThreadGroup inGroup = g;
    return task -> {
      made.removeIf(t -> t.getState() == Thread.State.TERMINATED);
      Thread thread = new Thread(inGroup, task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      made.add(thread);
      return thread;
    };
  }

  /** Returns whether the calling thread is one of ours. */
  boolean isOurs(Thread thread) {
    return made.contains(thread);
  }

  /**
   * Ends every thread: cancels timed tasks, gives running probes up to {@code probeGraceNanos} to
   * finish and interrupts them, lets queued callbacks run (up to {@link #THREAD_END_WAIT}), stops
   * the HTTP clients, then waits until every thread of the group has ended, up to {@link
   * #THREAD_END_WAIT} on the ticker; threads still alive then are logged. Until {@link #open()},
   * the getters throw {@link RejectedExecutionException}.
   */
  void shutdown(long probeGraceNanos) {
    ScheduledThreadPoolExecutor t;
    ThreadPoolExecutor p;
    ThreadPoolExecutor c;
    ThreadPoolExecutor h;
    ThreadGroup g;
    synchronized (lock) {
      open = false;
      t = timer;
      p = probes;
      c = callbacks;
      h = clientExecutor;
      g = group;
      timer = null;
      probes = null;
      callbacks = null;
      clientExecutor = null;
      group = null;
      clients.clear();
    }
    boolean self = isOurs(Thread.currentThread()); // stop() called from a callback, say
    try {
      if (t != null) {
        t.shutdownNow();
      }
      if (p != null) {
        p.shutdown();
        if (!self) {
          p.awaitTermination(probeGraceNanos, TimeUnit.NANOSECONDS);
        }
        p.shutdownNow(); // interrupt what overran
      }
      if (c != null) {
        c.shutdown();
        if (!self) {
          c.awaitTermination(THREAD_END_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        }
        c.shutdownNow();
      }
      if (h != null) {
        h.shutdownNow();
      }
      if (g != null) {
        awaitEnded(g);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stop waiting; every thread is told to end anyway
      for (ExecutorService e2 : new ExecutorService[] {p, c, h}) {
        if (e2 != null) {
          e2.shutdownNow();
        }
      }
      if (g != null) {
        g.interrupt();
      }
    }
  }

  /**
   * Interrupts the threads of {@code g} that are not ours (the HTTP clients' selector threads),
   * then waits until every thread of the group but the calling one has ended, and retires the
   * group.
   */
  private void awaitEnded(ThreadGroup g) throws InterruptedException {
    long deadline = ticker.read() + THREAD_END_WAIT.toNanos();
    List<String> alive = new ArrayList<>();
    for (Thread thread : threadsOf(g)) {
      if (thread == Thread.currentThread()) {
        continue;
      }
      if (!made.contains(thread)) {
        thread.interrupt(); // an HTTP client's selector: its loop ends on the interrupt
      }
      long left = deadline - ticker.read();
      TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(left, TimeUnit.MILLISECONDS.toNanos(1)));
      if (thread.isAlive()) {
        alive.add(thread.getName());
      }
    }
    if (!alive.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "health checker threads still running {0} after stop: {1}",
          THREAD_END_WAIT,
          alive);
    } else {
      retire(g);
    }
  }

  private static List<Thread> threadsOf(ThreadGroup g) {
    Thread[] threads = new Thread[Math.max(16, g.activeCount() * 2)];
    int n = g.enumerate(threads);
    while (n == threads.length) {
      threads = new Thread[threads.length * 2];
      n = g.enumerate(threads);
    }
    return Arrays.asList(threads).subList(0, n);
  }

  /**
   * Removes the empty group from its parent, which on JDK 17 would otherwise keep it for good (one
   * per start and stop). The method is deprecated for removal because thread groups no longer need
   * destroying on later JDKs, where it does nothing.
   */
  @SuppressWarnings("removal")
  private static void retire(ThreadGroup g) {
    try {
      if (!g.isDestroyed() && g.activeCount() == 0) {
        g.destroy();
      }
    } catch (IllegalThreadStateException e) {
      // a thread was added meanwhile, or it is destroyed already: nothing to retire
    }
  }
}
