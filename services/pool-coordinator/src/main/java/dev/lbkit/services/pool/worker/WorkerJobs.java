package dev.lbkit.services.pool.worker;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The reference worker's jobs: it accepts at most {@code maxConcurrentJobs} unfinished jobs (more:
 * refused, as sandrun refuses with 429), runs each on a thread of its own pool through the {@link
 * JobRunner}, and keeps the finished ones (the last {@code keepFinished}) for status and outputs.
 *
 * <p>Thread-safe. {@link #close()} interrupts the running jobs and ends every thread.
 */
public final class WorkerJobs implements AutoCloseable {

  /** What a job does while it runs; the default waits {@link JobSpec#sleepMillis()}. */
  @FunctionalInterface
  public interface JobRunner {
    /**
     * Runs the job. When it returns, the job is done, with the spec's exit code and outputs.
     *
     * @throws InterruptedException if the worker is closing under it
     */
    void run(String jobId, JobSpec spec) throws InterruptedException;

    /** Returns the runner that waits {@code sleep_ms}. */
    static JobRunner sleeping() {
      return (jobId, spec) -> Thread.sleep(spec.sleepMillis());
    }
  }

  /** Where a job is on this worker. */
  public enum State {
    /** Accepted, not started yet. */
    QUEUED,
    /** Running. */
    RUNNING,
    /** Exited with code 0. */
    COMPLETED,
    /** Exited with another code. */
    FAILED
  }

  private static final class Entry {
    final String id;
    final JobSpec spec;
    volatile State state = State.QUEUED;

    Entry(String id, JobSpec spec) {
      this.id = id;
      this.spec = spec;
    }
  }

  private final int maxConcurrentJobs;
  private final int keepFinished;
  private final JobRunner runner;
  private final ExecutorService threads;
  private final Map<String, Entry> jobs = new ConcurrentHashMap<>();
  private final ArrayDeque<String> finishedOrder = new ArrayDeque<>(); // guarded by itself
  private final AtomicInteger unfinished = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostRunning = new AtomicInteger();
  private final LongAdder received = new LongAdder();

  /**
   * Creates the job table of a worker.
   *
   * @throws IllegalArgumentException if {@code maxConcurrentJobs} or {@code keepFinished} is below
   *     1
   */
  public WorkerJobs(int maxConcurrentJobs, int keepFinished, JobRunner runner, String threadName) {
    if (maxConcurrentJobs < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentJobs: " + maxConcurrentJobs + " (expected: >= 1)");
    }
    if (keepFinished < 1) {
      throw new IllegalArgumentException("keepFinished: " + keepFinished + " (expected: >= 1)");
    }
    this.maxConcurrentJobs = maxConcurrentJobs;
    this.keepFinished = keepFinished;
    this.runner = Objects.requireNonNull(runner, "runner");
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            maxConcurrentJobs,
            task -> {
              Thread thread = new Thread(task, threadName + "-job-" + n.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Accepts a job and starts it.
   *
   * @return its id, or empty if the worker already has {@code maxConcurrentJobs} unfinished jobs
   */
  public Optional<String> submit(JobSpec spec) {
    Objects.requireNonNull(spec, "spec");
    received.increment();
    if (unfinished.incrementAndGet() > maxConcurrentJobs) {
      unfinished.decrementAndGet();
      return Optional.empty();
    }
    Entry job = new Entry("job-" + UUID.randomUUID().toString().replace("-", ""), spec);
    jobs.put(job.id, job);
    try {
      threads.execute(() -> run(job));
    } catch (RejectedExecutionException closing) {
      jobs.remove(job.id);
      unfinished.decrementAndGet();
      return Optional.empty();
    }
    return Optional.of(job.id);
  }

  private void run(Entry job) {
    int now = running.incrementAndGet();
    mostRunning.accumulateAndGet(now, Math::max);
    job.state = State.RUNNING;
    try {
      runner.run(job.id, job.spec);
    } catch (InterruptedException dying) {
      Thread.currentThread().interrupt();
      job.state = State.FAILED; // the worker is going away
    } catch (RuntimeException e) {
      job.state = State.FAILED; // a runner that throws fails its job
    } finally {
      running.decrementAndGet();
      if (job.state == State.RUNNING) {
        job.state = job.spec.exitCode() == 0 ? State.COMPLETED : State.FAILED;
      }
      unfinished.decrementAndGet();
      retire(job.id);
    }
  }

  private void retire(String id) {
    synchronized (finishedOrder) {
      finishedOrder.addLast(id);
      while (finishedOrder.size() > keepFinished) {
        jobs.remove(finishedOrder.removeFirst());
      }
    }
  }

  /** Returns the state of job {@code id}, or null if there is no such job (any more). */
  public @Nullable State state(String id) {
    Entry job = jobs.get(id);
    return job == null ? null : job.state;
  }

  /** Returns the status body of job {@code id}, as sandrun's {@code GET /status} has it. */
  public Optional<Map<String, Object>> status(String id, String workerId) {
    Entry job = jobs.get(id);
    if (job == null) {
      return Optional.empty();
    }
    State state = job.state;
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("job_id", id);
    status.put("status", state.name().toLowerCase(java.util.Locale.ROOT));
    if (state == State.COMPLETED || state == State.FAILED) {
      status.put("execution_metadata", Map.of("exit_code", job.spec.exitCode()));
      Map<String, Object> files = new LinkedHashMap<>();
      job.spec
          .outputs()
          .forEach(
              (path, bytes) ->
                  files.put(
                      path,
                      Map.of(
                          "path",
                          path,
                          "size_bytes",
                          bytes.length,
                          "sha256_hash",
                          sha256(bytes),
                          "type",
                          "file")));
      status.put("output_files", files);
    }
    status.put("worker_metadata", Map.of("worker_id", workerId));
    return Optional.of(status);
  }

  /** Returns output {@code path} of job {@code id} once it has finished, or empty. */
  public Optional<byte[]> output(String id, String path) {
    Entry job = jobs.get(id);
    if (job == null || job.state == State.QUEUED || job.state == State.RUNNING) {
      return Optional.empty();
    }
    return Optional.ofNullable(job.spec.outputs().get(path));
  }

  /** Returns how many jobs run now. */
  public int running() {
    return running.get();
  }

  /** Returns the most jobs that ever ran at once. */
  public int mostRunning() {
    return mostRunning.get();
  }

  /** Returns how many {@code POST /submit} it has received, refused ones included. */
  public long received() {
    return received.sum();
  }

  /** Returns the most unfinished jobs it accepts. */
  public int maxConcurrentJobs() {
    return maxConcurrentJobs;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }

  /** Interrupts the running jobs and waits (a little) for their threads to end. */
  @Override
  public void close() {
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
        System.getLogger(WorkerJobs.class.getName())
            .log(System.Logger.Level.WARNING, "a job runner ignored the interrupt");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
