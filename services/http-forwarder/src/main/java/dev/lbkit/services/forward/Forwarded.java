package dev.lbkit.services.forward;

import dev.lbkit.core.Server;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one forwarded request ended.
 *
 * @param backend the backend it went to
 * @param status the status the client was sent (the backend's, or 502/503/504 from the forwarder)
 * @param duration from the start of forwarding to the end
 * @param failure why it failed (no backend answer, a timeout, the client gone mid-body), or null; a
 *     client that went away is not the backend's failure
 */
public record Forwarded(
    Server backend, int status, Duration duration, @Nullable Throwable failure) {

  /**
   * Returns whether the backend should be blamed: the exchange failed, or the backend answered 5xx.
   * This is what a lease records as a failure (and an outlier detector counts).
   */
  public boolean backendFailed() {
    return (failure != null && !(failure instanceof ClientGoneException)) || status >= 500;
  }

  /** Returns whether the client went away before the answer was fully written. */
  public boolean clientGone() {
    return failure instanceof ClientGoneException;
  }
}
