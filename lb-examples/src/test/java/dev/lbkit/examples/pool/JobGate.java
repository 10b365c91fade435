package dev.lbkit.examples.pool;

import dev.lbkit.examples.http.Await;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' job function for {@link PoolWorker}s, and the ledger of every run: where each job
 * started, how often it completed, how many jobs each worker ran at once, and whether any job was
 * ever running on two workers at the same moment. A holding gate keeps each job running until
 * {@link #release} (or until its worker dies); failures are switched on per worker.
 */
final class JobGate {

  private final boolean hold;
  private final Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();
  private final Map<String, List<String>> starts = new ConcurrentHashMap<>(); // job -> workers
  private final Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
  private final Map<String, String> running = new ConcurrentHashMap<>(); // job -> worker
  private final List<String> overlaps = new ArrayList<>(); // guarded by itself
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> mostAtOnce = new ConcurrentHashMap<>();
  private final Set<String> failOnce = ConcurrentHashMap.newKeySet();
  private final Set<String> failAlways = ConcurrentHashMap.newKeySet();

  /** A gate that holds jobs until released ({@code hold}), or lets them finish at once. */
  JobGate(boolean hold) {
    this.hold = hold;
  }

  /** Returns the job function of the worker named {@code worker}. */
  PoolWorker.Job on(String worker) {
    return (jobId, payload) -> {
      String elsewhere = running.putIfAbsent(jobId, worker);
      if (elsewhere != null) {
        synchronized (overlaps) {
          overlaps.add(jobId + " started on " + worker + " while running on " + elsewhere);
        }
      }
      starts
          .computeIfAbsent(jobId, j -> Collections.synchronizedList(new ArrayList<>()))
          .add(worker);
      int now = active.computeIfAbsent(worker, w -> new AtomicInteger()).incrementAndGet();
      mostAtOnce.computeIfAbsent(worker, w -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      try {
        if (failAlways.contains(worker) || failOnce.remove(worker)) {
          throw new IOException("disk full");
        }
        if (hold) {
          latch(jobId).await(); // a dying worker interrupts it
        }
        completions.computeIfAbsent(jobId, j -> new AtomicInteger()).incrementAndGet();
        return payload + " done by " + worker;
      } finally {
        active.get(worker).decrementAndGet();
        running.remove(jobId, worker);
      }
    };
  }

  private CountDownLatch latch(String jobId) {
    return releases.computeIfAbsent(jobId, j -> new CountDownLatch(1));
  }

  /** Lets job {@code jobId} finish (now, or as soon as it starts). */
  void release(String jobId) {
    latch(jobId).countDown();
  }

  /** Makes the next job on {@code worker} fail. */
  void failNextOn(String worker) {
    failOnce.add(worker);
  }

  /** Makes every job on {@code worker} fail. */
  void failAlwaysOn(String worker) {
    failAlways.add(worker);
  }

  /** Waits until job {@code jobId} has started {@code times} times in all. */
  void awaitStarts(String jobId, int times) {
    Await.until(
        jobId + " started " + times + " time(s)",
        () -> workersOf(jobId).size() >= times,
        () -> "started on " + workersOf(jobId));
  }

  /** Waits until job {@code jobId} has started once. */
  void awaitStarted(String jobId) {
    awaitStarts(jobId, 1);
  }

  /** Returns the workers job {@code jobId} started on, in order. */
  List<String> workersOf(String jobId) {
    List<String> workers = starts.get(jobId);
    if (workers == null) {
      return List.of();
    }
    synchronized (workers) {
      return List.copyOf(workers);
    }
  }

  /** Returns the worker job {@code jobId} last started on. */
  String workerOf(String jobId) {
    List<String> workers = workersOf(jobId);
    return workers.get(workers.size() - 1);
  }

  /** Returns the jobs that have started so far. */
  Set<String> started() {
    return Set.copyOf(starts.keySet());
  }

  /** Returns how many times job {@code jobId} ran to completion, on any worker. */
  int completions(String jobId) {
    AtomicInteger count = completions.get(jobId);
    return count == null ? 0 : count.get();
  }

  /** Returns the most jobs {@code worker} ran at once. */
  int mostAtOnce(String worker) {
    AtomicInteger most = mostAtOnce.get(worker);
    return most == null ? 0 : most.get();
  }

  /** Returns every time a job started on a worker while it was running on another one. */
  List<String> overlaps() {
    synchronized (overlaps) {
      return List.copyOf(overlaps);
    }
  }
}
