package dev.lbkit.services.broker.csp;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The CSP behind a Resilience4j retry and circuit breaker: each call is tried up to {@code
 * attempts} times with exponential backoff (from {@code firstWait}, doubling), each attempt through
 * the breaker. The breaker opens when half of the last 10 calls (at least 5) failed, refuses calls
 * for 30 s ({@link CallNotPermittedException}, never retried), then lets 2 trial calls through.
 * Thread-safe.
 */
public final class GuardedCsp {
  private final CspClient csp;
  private final CircuitBreaker breaker;
  private final Retry retry;

  /** Guards {@code csp}. */
  public GuardedCsp(CspClient csp, int attempts, Duration firstWait) {
    this.csp = Objects.requireNonNull(csp, "csp");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts: " + attempts + " (expected: >= 1)");
    }
    this.breaker =
        CircuitBreaker.of(
            "csp",
            CircuitBreakerConfig.custom()
                .failureRateThreshold(50)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2)
                .build());
    this.retry =
        Retry.of(
            "csp",
            RetryConfig.custom()
                .maxAttempts(attempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(firstWait, 2.0))
                .retryOnException(e -> !(e instanceof CallNotPermittedException))
                .failAfterMaxAttempts(false)
                .build());
  }

  /** Lists the CSP's sandboxes. */
  public List<CspSandbox> list() throws Throwable {
    return Retry.decorateCheckedSupplier(
            retry, CircuitBreaker.decorateCheckedSupplier(breaker, csp::list))
        .get();
  }

  /** Deletes sandbox {@code id} in the CSP. */
  public void delete(String id) throws Throwable {
    Retry.decorateCheckedRunnable(
            retry, CircuitBreaker.decorateCheckedRunnable(breaker, () -> csp.delete(id)))
        .run();
  }

  /** Returns the breaker (its state is a metric and a /readyz check). */
  public CircuitBreaker breaker() {
    return breaker;
  }

  /** Returns the breaker's state as shown: {@code closed}, {@code open}, {@code half_open}... */
  public String state() {
    return breaker.getState().name().toLowerCase(Locale.ROOT);
  }

  /** Returns the breaker's state as a number: 0 closed, 1 open, 2 half open, 3 other. */
  public int stateCode() {
    switch (breaker.getState()) {
      case CLOSED:
        return 0;
      case OPEN:
      case FORCED_OPEN:
        return 1;
      case HALF_OPEN:
        return 2;
      default:
        return 3;
    }
  }
}
