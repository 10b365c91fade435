package dev.lbkit.services.router;

import org.jspecify.annotations.Nullable;

/**
 * What the router remembers of a job it answered.
 *
 * @param jobId the router's id for it ({@code job_...}, or {@code cache_...} for a cache hit)
 * @param runner the id ({@code host:port}) of the runner that took it; null for a cache hit
 * @param remoteId the runner's own id for the job (the router's id for a cache hit)
 * @param key the evaluation it is
 * @param createdAtMillis when the router took it, epoch milliseconds
 */
record JobRoute(
    String jobId, @Nullable String runner, String remoteId, ResultKey key, long createdAtMillis) {

  /** Returns whether the job was answered from the cache, not sent to a runner. */
  boolean fromCache() {
    return runner == null;
  }
}
