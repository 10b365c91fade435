package dev.lbkit.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a {@link LoadBalancer} has no admissible server for a request: none healthy, or all
 * draining, ejected, at their rate limit or at their concurrency cap (within the wait, for a
 * waiting acquire). {@link #refusal()} says which; {@link #retryAfter()} says, for a rate-limited
 * refusal, when the first server has a token again. Callers typically answer 503, with a {@code
 * Retry-After} header when there is a hint.
 */
public final class NoServerAvailableException extends LoadBalancerException {
  private static final long serialVersionUID = 1L;

  private final Refusal refusal;
  private final @Nullable Duration retryAfter;

  /** Creates the exception with a message saying why, refused as {@link Refusal#NO_SERVERS}. */
  public NoServerAvailableException(String message) {
    this(message, Refusal.NO_SERVERS, null);
  }

  /**
   * Creates the exception with a message, the refusal, and for {@link Refusal#RATE_LIMITED} the
   * time until a token is available (ignored for any other refusal).
   *
   * @throws NullPointerException if {@code refusal} is null
   */
  public NoServerAvailableException(
      String message, Refusal refusal, @Nullable Duration retryAfter) {
    super(message, null);
    this.refusal = Objects.requireNonNull(refusal, "refusal");
    this.retryAfter = refusal == Refusal.RATE_LIMITED ? retryAfter : null;
  }

  /**
   * Returns why no server was admissible: when servers were refused for different reasons, the most
   * transient one (see {@link Refusal}).
   */
  public Refusal refusal() {
    return refusal;
  }

  /**
   * Returns, for a {@link Refusal#RATE_LIMITED} refusal, the time from the refusal until the first
   * rate-limited server has a token again, by the balancer's ticker; empty for any other refusal.
   * Other callers may take that token first: it is a hint, not a reservation.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
