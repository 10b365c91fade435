package dev.lbkit.services.pool;

import java.util.Locale;

/** Where a pool job is; {@code GET /status} shows it in lower case. */
public enum JobState {
  /** Waiting in the coordinator's queue for a worker with a free slot. */
  QUEUED,
  /** Sent to a worker, which has not yet been seen running it. */
  DISPATCHED,
  /** Running on its worker. */
  RUNNING,
  /** Finished on its worker; its outputs can be downloaded. */
  COMPLETED,
  /**
   * Failed: by its own doing on its worker, refused by a worker as malformed, or found no worker
   * within its deadline.
   */
  FAILED;

  /** Returns the name {@code GET /status} uses, e.g. {@code "queued"}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Returns whether the job is done, one way or the other. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED;
  }
}
