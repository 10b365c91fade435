package dev.lbkit.services.broker.jobs;

import dev.lbkit.services.kit.JsonLog;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the jobs at their intervals on one daemon thread ({@code sandbox-broker-jobs}); {@link
 * #close()} stops it and waits until the thread has ended (a run under way finishes first, within
 * 30 s).
 */
public final class JobScheduler implements AutoCloseable {
  private final ScheduledExecutorService executor;
  private final JsonLog log;

  /** Creates a scheduler with no job yet. */
  public JobScheduler(JsonLog log) {
    this.log = log;
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "sandbox-broker-jobs");
              thread.setDaemon(true);
              return thread;
            });
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.executor = pool;
  }

  /** Runs {@code job} every {@code interval}, the first time after {@code initialDelay}. */
  @SuppressWarnings("FutureReturnValueIgnored") // the task catches and logs its own failures
  public void every(Job job, Duration initialDelay, Duration interval) {
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            job.run();
          } catch (RuntimeException e) {
            log.error("job").field("job", job.name()).exception(e).write();
          }
        },
        initialDelay.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
