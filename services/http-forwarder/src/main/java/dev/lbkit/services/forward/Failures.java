package dev.lbkit.services.forward;

import dev.lbkit.core.FailoverException;
import dev.lbkit.core.NoServerAvailableException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * How a failure to reach a backend reads to a client: the status the forwarder answers with, and a
 * short reason that names no secret.
 *
 * <ul>
 *   <li>503 Service Unavailable: lbkit refused the request ({@link NoServerAvailableException}: no
 *       server healthy, all draining, ejected, at capacity or rate limited), or the backend's queue
 *       in the forwarder is full.
 *   <li>504 Gateway Timeout: the backend did not answer in time, or went silent mid-body.
 *   <li>502 Bad Gateway: anything else: connection refused or reset, a malformed answer, every
 *       failover attempt failed ({@link FailoverException}, unless its last failure was a timeout).
 * </ul>
 */
public final class Failures {

  private Failures() {}

  /** Returns the status a client gets for {@code failure}: 502, 503 or 504. */
  public static int statusFor(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof NoServerAvailableException
        || cause instanceof RejectedExecutionException) {
      return 503;
    }
    if (cause instanceof FailoverException && cause.getCause() != null) {
      return statusFor(cause.getCause()) == 504 ? 504 : 502;
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
        return 504;
      }
    }
    return 502;
  }

  /** Returns a one-line reason for {@code failure}, fit for a client and a log. */
  public static String reasonFor(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    String message = cause.getMessage();
    String kind = cause.getClass().getSimpleName();
    return message == null || message.isBlank() ? kind : kind + ": " + message;
  }

  /** Strips the wrappers futures add. */
  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
