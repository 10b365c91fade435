package dev.lbkit.core;

/**
 * Thrown when a {@link LoadBalancer} has no admissible server for a request: none healthy, or all
 * draining, at their rate limit or at their concurrency cap (within the wait, for a waiting
 * acquire). Callers typically answer 503.
 */
public final class NoServerAvailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying why. */
  public NoServerAvailableException(String message) {
    super(message);
  }
}
