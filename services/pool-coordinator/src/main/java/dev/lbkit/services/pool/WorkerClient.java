package dev.lbkit.services.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lbkit.core.Server;
import dev.lbkit.services.forward.Call;
import dev.lbkit.services.forward.HttpForwarder;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The coordinator's own small calls to its workers, whose answers it reads: the health challenge,
 * {@code POST /submit} and {@code GET /status/{id}}, as buffered calls of the shared {@link
 * HttpForwarder} (so they share its pooled connections and access log with the outputs it streams).
 * Every call has a deadline.
 *
 * <p>Thread-safe; the futures complete on the forwarder's threads.
 */
final class WorkerClient {

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

  private final HttpForwarder forwarder;

  /** Calls workers through {@code forwarder}, which the caller closes. */
  WorkerClient(HttpForwarder forwarder) {
    this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
  }

  /** {@code GET target} on {@code worker}, answered within {@code timeout}. */
  CompletableFuture<Reply> get(Server worker, String target, Duration timeout) {
    return send(worker, Call.get(target).timeout(timeout));
  }

  /** {@code POST target} with a body on {@code worker}, answered within {@code timeout}. */
  CompletableFuture<Reply> post(
      Server worker, String target, byte[] body, @Nullable String contentType, Duration timeout) {
    Call call =
        Call.of("POST", target)
            .body(contentType == null ? "application/octet-stream" : contentType, body)
            .timeout(timeout);
    return send(worker, call);
  }

  private CompletableFuture<Reply> send(Server worker, Call call) {
    return forwarder.send(worker, call).thenApply(r -> new Reply(r.status(), r.body()));
  }
}
