package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link LoadBalancer#execute} (and completes the future of {@link
 * LoadBalancer#executeAsync}) when the call did not succeed on any server it was tried on: every
 * attempt failed, or an attempt failed in a way the {@link RetryRule} does not retry, or the retry
 * budget or the admissible servers ran out. The cause is the last attempt's failure (a {@code
 * CompletionException} around it unwrapped); earlier attempts' failures are {@linkplain
 * #getSuppressed() suppressed} exceptions, in order.
 */
public final class FailoverException extends LoadBalancerException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  FailoverException(String message, @Nullable Throwable cause, int attempts) {
    super(message, cause);
    this.attempts = attempts;
  }

  /** Returns how many servers the call was tried on: 1 when the failure was not retried. */
  public int attempts() {
    return attempts;
  }
}
