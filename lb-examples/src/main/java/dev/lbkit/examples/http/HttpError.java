package dev.lbkit.examples.http;

/**
 * Thrown by a request handler to answer with {@code status} and {@code {"error": message}}; {@link
 * LoopbackServer} turns it into the response. The message is sent to the caller as it is, so it
 * must never hold a secret.
 */
public final class HttpError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * Creates an error response.
   *
   * @throws IllegalArgumentException if {@code status} is not in {@code 400..599}
   */
  public HttpError(int status, String message) {
    super(message, null, false, false); // an answer, not a bug: no stack trace
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400..599)");
    }
    this.status = status;
  }

  /** Returns the HTTP status to answer with. */
  public int status() {
    return status;
  }
}
