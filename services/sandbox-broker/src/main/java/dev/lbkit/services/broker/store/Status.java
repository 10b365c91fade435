package dev.lbkit.services.broker.store;

import java.util.Locale;

/** A sandbox's state, as the seed's schema names it. */
public enum Status {
  /** In the pool, free to allocate. */
  AVAILABLE,
  /** Held by one track. */
  ALLOCATED,
  /** Given back (or expired); the cleanup job deletes it in the CSP. */
  PENDING_DELETION,
  /** Gone from the CSP's list while available; never allocated again unless it comes back. */
  STALE,
  /** The CSP refused to delete it too many times; an operator must look. */
  DELETION_FAILED;

  /** Returns the name stored and shown: {@code pending_deletion}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the status of a stored or given label.
   *
   * @throws IllegalArgumentException if it is none
   */
  public static Status of(String label) {
    for (Status status : values()) {
      if (status.label().equals(label)) {
        return status;
      }
    }
    throw new IllegalArgumentException(
        "status: '"
            + label
            + "' (expected: available, allocated, pending_deletion, stale or deletion_failed)");
  }
}
