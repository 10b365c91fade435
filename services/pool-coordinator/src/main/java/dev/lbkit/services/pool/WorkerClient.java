package dev.lbkit.services.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.jspecify.annotations.Nullable;

/**
 * The coordinator's own small calls to its workers, whose answers it reads: the health challenge,
 * {@code POST /submit} and {@code GET /status/{id}}. Bodies are read whole, up to {@link
 * #MAX_REPLY_BYTES}; every call has a deadline. (Outputs, which can be large, go through the HTTP
 * forwarder instead and are streamed.)
 *
 * <p>Thread-safe; the futures complete on the HTTP client's threads.
 */
final class WorkerClient {

  /** The largest answer read from a worker's JSON endpoints. */
  static final int MAX_REPLY_BYTES = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A worker's answer: its status and body. Immutable. */
  static final class Reply {
    private final int status;
    private final byte[] body;

    Reply(int status, byte[] body) {
      this.status = status;
      this.body = body;
    }

    /** Returns the HTTP status. */
    int status() {
      return status;
    }

    /** Returns the body as a JSON object, or null if it is not one. */
    @Nullable JsonNode json() {
      try {
        JsonNode node = JSON.readTree(body);
        return node != null && node.isObject() ? node : null;
      } catch (IOException e) {
        return null;
      }
    }

    /** Returns the text field {@code name} of the JSON body, or null. */
    @Nullable String text(String name) {
      JsonNode json = json();
      JsonNode value = json == null ? null : json.get(name);
      return value != null && value.isTextual() ? value.asText() : null;
    }
  }

  private final HttpClient http;

  /** Calls workers through {@code http}, which the caller starts and stops. */
  WorkerClient(HttpClient http) {
    this.http = Objects.requireNonNull(http, "http");
  }

  /** {@code GET uri}, answered within {@code timeout}. */
  CompletableFuture<Reply> get(URI uri, Duration timeout) {
    return send(http.newRequest(uri).method(HttpMethod.GET), timeout);
  }

  /** {@code POST uri} with a body, answered within {@code timeout}. */
  CompletableFuture<Reply> post(
      URI uri, byte[] body, @Nullable String contentType, Duration timeout) {
    Request request =
        http.newRequest(uri)
            .method(HttpMethod.POST)
            .body(new BytesRequestContent(contentType, body));
    return send(request, timeout);
  }

  private static CompletableFuture<Reply> send(Request request, Duration timeout) {
    request.timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS).followRedirects(false);
    CompletableFuture<ContentResponse> response;
    try {
      response = new CompletableResponseListener(request, MAX_REPLY_BYTES).send();
    } catch (RuntimeException stopped) { // the client is stopping
      return CompletableFuture.failedFuture(stopped);
    }
    return response.thenApply(r -> new Reply(r.getStatus(), r.getContent()));
  }
}
