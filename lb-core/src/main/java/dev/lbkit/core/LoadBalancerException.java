package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * The supertype of what a {@link LoadBalancer} throws when it could not serve a call: {@link
 * NoServerAvailableException} when it had no admissible server (with the {@link Refusal} saying
 * why), {@link FailoverException} when the call was tried and failed. A service can map the first
 * to 503 and the second to 502 with one catch of this type.
 */
public abstract class LoadBalancerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message and a cause, either of which may be null. */
  protected LoadBalancerException(@Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
