package dev.lbkit.services.pool;

import dev.lbkit.services.pool.worker.JobSpec;
import dev.lbkit.services.pool.worker.WorkerJobs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reference workers' job runner in tests, and the ledger of every run: which worker each job
 * (by its spec's name) started on, how many jobs each worker ran at once, and whether a job ever
 * ran on two workers at the same moment. Jobs whose name starts with {@code hold} run until {@link
 * #release}d (or until their worker dies); the others end at once.
 */
final class JobLedger {

  private final Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();
  private final Map<String, List<String>> starts = new ConcurrentHashMap<>(); // job -> workers
  private final Map<String, String> running = new ConcurrentHashMap<>(); // job -> worker
  private final List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> mostAtOnce = new ConcurrentHashMap<>();

  /** Returns the runner of the worker named {@code worker}. */
  WorkerJobs.JobRunner runner(String worker) {
    return (jobId, spec) -> run(worker, spec);
  }

  private void run(String worker, JobSpec spec) throws InterruptedException {
    String job = spec.name();
    String elsewhere = running.putIfAbsent(job, worker);
    if (elsewhere != null) {
      overlaps.add(job + " started on " + worker + " while running on " + elsewhere);
    }
    starts.computeIfAbsent(job, j -> Collections.synchronizedList(new ArrayList<>())).add(worker);
    int now = active.computeIfAbsent(worker, w -> new AtomicInteger()).incrementAndGet();
    mostAtOnce.computeIfAbsent(worker, w -> new AtomicInteger()).accumulateAndGet(now, Math::max);
    try {
      if (job.startsWith("hold")) {
        latch(job).await(); // a dying worker interrupts it
      }
    } finally {
      active.get(worker).decrementAndGet();
      running.remove(job, worker);
    }
  }

  private CountDownLatch latch(String job) {
    return releases.computeIfAbsent(job, j -> new CountDownLatch(1));
  }

  /** Lets held job {@code job} end (now, or as soon as it starts). */
  void release(String job) {
    latch(job).countDown();
  }

  /** Waits until job {@code job} has started {@code times} times in all. */
  void awaitStarts(String job, int times) {
    Await.until(
        job + " started " + times + " time(s)",
        () -> workersOf(job).size() >= times,
        () -> "started on " + workersOf(job));
  }

  /** Waits until job {@code job} has started once. */
  void awaitStarted(String job) {
    awaitStarts(job, 1);
  }

  /** Returns the workers job {@code job} started on, in order. */
  List<String> workersOf(String job) {
    List<String> workers = starts.get(job);
    if (workers == null) {
      return List.of();
    }
    synchronized (workers) {
      return List.copyOf(workers);
    }
  }

  /** Returns the worker job {@code job} last started on. */
  String workerOf(String job) {
    List<String> workers = workersOf(job);
    return workers.get(workers.size() - 1);
  }

  /** Returns how many jobs have started, in all. */
  int started() {
    return starts.size();
  }

  /** Returns how many jobs run on {@code worker} now. */
  int activeOn(String worker) {
    AtomicInteger count = active.get(worker);
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
