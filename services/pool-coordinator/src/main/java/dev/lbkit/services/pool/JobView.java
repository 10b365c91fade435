package dev.lbkit.services.pool;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the coordinator knows of one job at one moment; immutable.
 *
 * @param jobId the pool's id, {@code pool-} and a UUID
 * @param state where the job is
 * @param worker the worker it is (or was last) on; null while it has never left the queue
 * @param remoteJobId the worker's own id for it; null until the worker accepted it
 * @param attempts how many times it was sent to a worker
 * @param workerStatus the worker's last {@code /status} answer, if any
 * @param error why it failed, once failed (or why its last worker lost it, while re-queued)
 * @param submittedAt when the coordinator took it
 * @param finishedAt when it completed or failed, null before
 */
public record JobView(
    String jobId,
    JobState state,
    @Nullable WorkerSpec worker,
    @Nullable String remoteJobId,
    int attempts,
    @Nullable JsonNode workerStatus,
    @Nullable String error,
    Instant submittedAt,
    @Nullable Instant finishedAt) {}
