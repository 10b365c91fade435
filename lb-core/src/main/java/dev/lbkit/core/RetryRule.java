package dev.lbkit.core;

/**
 * Decides whether {@link LoadBalancer#execute} and {@link LoadBalancer#executeAsync} try a failed
 * call again on another server; set with {@link LoadBalancer.Builder#retryRule}. A retry still
 * needs an attempt left, a retry budget token and an admissible server not tried yet.
 *
 * <p>{@link #safe()}, the default, retries only what cannot do harm twice: a failure that means the
 * request never reached the server (connection refused, no route, unknown host, a refusal by a
 * balancer's own admission), or an {@link java.io.IOException} of a request whose method is
 * idempotent ({@code GET}, {@code HEAD}, {@code OPTIONS}, {@code PUT}, {@code DELETE}, or no method
 * at all). So a {@code POST} that failed with an application error or a read timeout is tried once;
 * a {@code POST} whose connection was refused is tried again elsewhere. Write your own as a lambda:
 *
 * <pre>{@code
 * RetryRule rule = (request, failure) ->
 *     RetryRule.safe().shouldRetry(request, failure) || failure instanceof TransientException;
 * }</pre>
 *
 * <p>A rule is called on the thread that saw the failure (for {@code executeAsync}, the one that
 * completed the attempt's stage), must be thread-safe, and should be cheap and never block. If it
 * throws, the call is not retried and what it threw is suppressed in the failure.
 */
@FunctionalInterface
public interface RetryRule {

  /**
   * Returns whether a call that failed with {@code failure} may be tried again on another server.
   *
   * @param request the request of the call
   * @param failure what the attempt threw, or what its stage completed with; possibly wrapped in a
   *     {@link java.util.concurrent.CompletionException} or {@link
   *     java.util.concurrent.ExecutionException}
   */
  boolean shouldRetry(Request request, Throwable failure);

  /**
   * Returns the default rule: retry when the request cannot have reached the server ({@link
   * java.net.ConnectException}, {@link java.net.NoRouteToHostException}, {@link
   * java.net.UnknownHostException}, {@link NoServerAvailableException}), or when the request's
   * method is idempotent ({@code GET}, {@code HEAD}, {@code OPTIONS}, {@code PUT}, {@code DELETE},
   * or none; compared ignoring case) and the failure is an {@link java.io.IOException}. It looks
   * through {@code CompletionException} and {@code ExecutionException} wrappers to their cause
   * ({@code HttpClient.sendAsync} fails with {@code CompletionException(ConnectException)}).
   */
  static RetryRule safe() {
    return RetryRules.SAFE;
  }

  /** Returns the rule that retries every failure except an {@code Error} or an interrupt. */
  static RetryRule always() {
    return RetryRules.ALWAYS;
  }

  /** Returns the rule that never retries: every call is tried on one server. */
  static RetryRule never() {
    return RetryRules.NEVER;
  }
}
