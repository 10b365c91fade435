package dev.lbkit.services.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.core.Lease;
import dev.lbkit.core.Server;
import dev.lbkit.health.Scheduler;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One pool job, as the {@link Dispatcher} keeps it. Every mutable field is guarded by the
 * dispatcher's lock.
 */
final class Job {

  /**
   * One try of a job on one worker: holds the worker's slot (the lease) from the moment it is
   * placed until the worker reports the job finished, or the coordinator gives up on the worker.
   * Answers that arrive for an attempt that is over are ignored, so a slow reply from a worker the
   * job has left cannot move it.
   */
  static final class Attempt {
    final Job job;
    final WorkerSpec worker;
    final Lease lease;
    @Nullable String remoteId;
    int pollFailures;
    boolean over;
    Scheduler.@Nullable Cancellable nextPoll;

    Attempt(Job job, WorkerSpec worker, Lease lease) {
      this.job = job;
      this.worker = worker;
      this.lease = lease;
    }

    Server server() {
      return lease.server();
    }
  }

  final String id;
  final @Nullable String contentType;
  final Instant submittedAt;

  /** When it stops waiting for a worker, on the dispatcher's ticker. */
  final long deadline;

  /** The body to send to a worker; dropped once the job is finished. */
  byte @Nullable [] body;

  JobState state = JobState.QUEUED;
  @Nullable Attempt attempt; // the current one, while dispatched or running
  @Nullable WorkerSpec worker; // the current or last worker
  @Nullable String remoteId; // the current or last worker's id of it
  int attempts;

  /** The workers that failed it (down, refused, timed out, or lost it): tried last, if ever. */
  final Set<Server> failedOn = new HashSet<>();

  @Nullable JsonNode workerStatus;
  @Nullable String error;
  @Nullable Instant finishedAt;

  Job(String id, byte[] body, @Nullable String contentType, Instant submittedAt, long deadline) {
    this.id = id;
    this.body = body;
    this.contentType = contentType;
    this.submittedAt = submittedAt;
    this.deadline = deadline;
  }

  JobView view() {
    return new JobView(
        id, state, worker, remoteId, attempts, workerStatus, error, submittedAt, finishedAt);
  }

  @Override
  public String toString() {
    return id + " (" + state.jsonName() + ")";
  }
}
