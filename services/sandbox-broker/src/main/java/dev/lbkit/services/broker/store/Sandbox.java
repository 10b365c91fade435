package dev.lbkit.services.broker.store;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One row of the {@code sandboxes} table: the seed's attributes. Times are epoch milliseconds.
 *
 * @param id the CSP's id of the sandbox
 * @param name its name in the CSP
 * @param externalId the CSP's external id, if any
 * @param status its state
 * @param allocatedToTrack the track holding it (allocated, pending deletion)
 * @param allocatedAt when it was allocated
 * @param deletionRequestedAt when it was marked for deletion (or expired)
 * @param deletionRetryCount how many CSP deletions of it failed
 * @param idempotencyKey the {@code Idempotency-Key} of the request that allocated it
 * @param lastSynced when the sync job last saw it in the CSP
 */
public record Sandbox(
    String id,
    String name,
    @Nullable String externalId,
    Status status,
    @Nullable String allocatedToTrack,
    @Nullable Long allocatedAt,
    @Nullable Long deletionRequestedAt,
    int deletionRetryCount,
    @Nullable String idempotencyKey,
    @Nullable Long lastSynced) {

  /** Returns the sandbox as the API shows it (snake case, times in epoch seconds). */
  public Map<String, @Nullable Object> toJson() {
    Map<String, @Nullable Object> json = new LinkedHashMap<>();
    json.put("sandbox_id", id);
    json.put("name", name);
    json.put("external_id", externalId);
    json.put("status", status.label());
    json.put("allocated_to_track", allocatedToTrack);
    json.put("allocated_at", seconds(allocatedAt));
    json.put("deletion_requested_at", seconds(deletionRequestedAt));
    json.put("deletion_retry_count", deletionRetryCount);
    json.put("last_synced", seconds(lastSynced));
    return json;
  }

  private static @Nullable Long seconds(@Nullable Long millis) {
    return millis == null ? null : millis / 1000;
  }
}
