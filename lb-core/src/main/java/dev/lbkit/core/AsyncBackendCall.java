package dev.lbkit.core;

import java.util.concurrent.CompletionStage;

/**
 * An asynchronous call to one server, run by {@link LoadBalancer#executeAsync} with failover: it
 * starts the call and returns a stage that completes when the call does, without waiting for it.
 * {@code HttpClient.sendAsync}, a Netty or gRPC future and any reactive client adapt to it in one
 * line:
 *
 * <pre>{@code
 * AsyncBackendCall<HttpResponse<String>> call =
 *     server -> http.sendAsync(requestTo(server), BodyHandlers.ofString());
 * }</pre>
 *
 * @param <T> the result
 */
@FunctionalInterface
public interface AsyncBackendCall<T> {

  /**
   * Starts a call to {@code server} and returns its stage. Throwing, returning null, or a stage
   * that completes exceptionally marks the attempt failed; {@code executeAsync} may then retry on
   * another server, as its {@link RetryRule} says. If the caller cancels the future {@code
   * executeAsync} returned, the stage's {@code toCompletableFuture().cancel(true)} is called, so a
   * stage that supports it should stop the call then. Runs on the caller's thread for the first
   * attempt and, for a retry, on the thread that completed the failed attempt's stage: it must not
   * block.
   */
  CompletionStage<T> call(Server server) throws Exception;
}
