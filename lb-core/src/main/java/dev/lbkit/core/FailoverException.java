package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link LoadBalancer#execute} when the call did not succeed on any server it was tried
 * on. The cause is the last attempt's failure; earlier attempts' failures are {@linkplain
 * #getSuppressed() suppressed} exceptions, in order.
 */
public final class FailoverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  FailoverException(String message, @Nullable Throwable cause, int attempts) {
    super(message, cause);
    this.attempts = attempts;
  }

  /** Returns how many servers the call was tried on. */
  public int attempts() {
    return attempts;
  }
}
