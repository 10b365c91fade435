package dev.lbkit.examples.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link HttpClient} for JSON calls to backends, running on daemon threads it owns (named {@code
 * name-client-N}), which {@link #close()} stops. No proxy, no redirects, HTTP/1.1.
 *
 * <p>On Java 17 an {@code HttpClient} cannot be closed: its selector thread ({@code
 * HttpClient-N-SelectorManager}) ends only once the client has been garbage collected. Everything
 * else it runs is on this class's threads.
 */
public final class JsonClient implements AutoCloseable {

  /** A backend's answer: its status and its body, parsed on demand. */
  public record Response(int status, String body) {

    /**
     * Returns the body as a flat JSON object.
     *
     * @throws IllegalArgumentException if it is not one
     */
    public Map<String, Object> json() {
      return Json.parseObject(body);
    }

    /** Returns whether the status is 2xx. */
    public boolean ok() {
      return status >= 200 && status <= 299;
    }
  }

  private final ExecutorService executor;
  private final HttpClient client;

  private JsonClient(String name) {
    this.executor = Executors.newCachedThreadPool(NamedThreads.daemon(name + "-client-"));
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(executor)
            .build();
  }

  /**
   * Creates a client whose threads are named {@code name-client-N}.
   *
   * @throws NullPointerException if {@code name} is null
   */
  public static JsonClient create(String name) {
    return new JsonClient(Objects.requireNonNull(name, "name"));
  }

  /**
   * Sends {@code method uri} with {@code body} (written as JSON) if not null; the future completes
   * with the answer, whatever its status, or fails with the I/O error (a refused or dropped
   * connection, or {@link java.net.http.HttpTimeoutException} if no answer came within {@code
   * timeout}). Cancelling the future aborts the exchange. Dependent stages run on this client's
   * threads.
   *
   * @param timeout how long to wait for the answer's headers, or null to wait as long as it takes
   * @throws NullPointerException if {@code method} or {@code uri} is null
   */
  public CompletableFuture<Response> send(
      String method, URI uri, @Nullable Object body, @Nullable Duration timeout) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .method(
                Objects.requireNonNull(method, "method"),
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Json.write(body)));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (timeout != null) {
      request.timeout(timeout);
    }
    CompletableFuture<HttpResponse<String>> exchange =
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    CompletableFuture<Response> response =
        exchange.thenApply(r -> new Response(r.statusCode(), r.body()));
    // A dependent future does not pass its cancellation upstream: do it, so that it aborts.
    CompletableFuture<Response> unused =
        response.whenComplete(
            (r, e) -> {
              if (response.isCancelled()) {
                exchange.cancel(true);
              }
            });
    return response;
  }

  /** Returns the executor this client's stages run on, for work that should share its threads. */
  public Executor executor() {
    return executor;
  }

  /** Stops this client's threads, abandoning exchanges in flight. Idempotent. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
