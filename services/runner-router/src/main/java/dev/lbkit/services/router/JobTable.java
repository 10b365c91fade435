package dev.lbkit.services.router;

import dev.lbkit.core.Ticker;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The job table: which runner took each job (strict stickiness), in memory and in SQLite, so that a
 * restarted router keeps routing the jobs in flight. A job is forgotten when cancelled through the
 * router, or {@code ttl} after it was taken ({@link #purgeExpired()}, run hourly). Thread-safe.
 */
final class JobTable {

  private final RouterStore store;
  private final Ticker clock;
  private final long ttlMillis;
  private final Map<String, JobRoute> jobs = new ConcurrentHashMap<>();

  /** Loads the table from {@code store}. */
  JobTable(RouterStore store, Ticker clock, Duration ttl) throws SQLException {
    this.store = store;
    this.clock = clock;
    this.ttlMillis = ttl.toMillis();
    for (JobRoute job : store.jobs()) {
      jobs.put(job.jobId(), job);
    }
  }

  /** Records a job: on disk first, so a job the client heard of is never lost by a restart. */
  void put(JobRoute job) throws SQLException {
    store.putJob(job);
    jobs.put(job.jobId(), job);
  }

  @Nullable JobRoute get(String jobId) {
    return jobs.get(jobId);
  }

  void remove(String jobId) throws SQLException {
    store.deleteJob(jobId);
    jobs.remove(jobId);
  }

  int size() {
    return jobs.size();
  }

  /** Forgets the jobs taken more than the TTL ago; returns how many. */
  int purgeExpired() throws SQLException {
    long cutoff = nowMillis() - ttlMillis;
    jobs.values().removeIf(job -> job.createdAtMillis() < cutoff);
    return store.deleteJobsBefore(cutoff);
  }

  long nowMillis() {
    return Math.floorDiv(clock.read(), 1_000_000L);
  }
}
