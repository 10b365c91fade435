package dev.lbkit.services.kit;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link Endpoint} answers: a status, a body with its content type, and headers. Immutable
 * but for {@link #header}, which the endpoint calls before returning it.
 */
public final class Reply {
  private final int status;
  private final String contentType;
  private final byte[] body;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private final @Nullable Streamer streamer;

  /**
   * An answer the endpoint writes itself, on Jetty's request and response: a body streamed from
   * elsewhere (a proxied download), too large to hold.
   */
  @FunctionalInterface
  public interface Streamer {
    /**
     * Writes the whole answer (status, headers, body) and completes {@code callback}. The reply's
     * own headers and the service's are already set on {@code response}.
     *
     * @return a future of the status sent, for the access log; it completes when the answer is
     *     written or has failed
     * @throws Exception if it could not start; the client then gets a 500, unless something was
     *     already written
     */
    CompletableFuture<Integer> stream(Request request, Response response, Callback callback)
        throws Exception;
  }

  private Reply(int status, String contentType, byte[] body, @Nullable Streamer streamer) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100..599)");
    }
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.streamer = streamer;
  }

  private Reply(int status, String contentType, byte[] body) {
    this(status, contentType, body, null);
  }

  /** Returns a reply with {@code body} written as JSON. */
  public static Reply json(int status, Object body) {
    return new Reply(status, "application/json", Json.writeBytes(body));
  }

  /** Returns a reply of text in UTF-8 with the given content type (without its charset). */
  public static Reply text(int status, String contentType, String body) {
    return new Reply(
        status,
        Objects.requireNonNull(contentType, "contentType") + "; charset=utf-8",
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns a reply of bytes with the given content type (an octet stream, say). */
  public static Reply bytes(int status, String contentType, byte[] body) {
    return new Reply(
        status,
        Objects.requireNonNull(contentType, "contentType"),
        Objects.requireNonNull(body, "body"));
  }

  /**
   * Returns a reply that {@code streamer} writes itself (see {@link Streamer}); its {@link #status}
   * is a placeholder, 200.
   */
  public static Reply streamed(Streamer streamer) {
    return new Reply(200, "", new byte[0], Objects.requireNonNull(streamer, "streamer"));
  }

  /** Returns a reply with no body (204, say). */
  public static Reply empty(int status) {
    return new Reply(status, "", new byte[0]);
  }

  /** Adds a response header; returns this reply. */
  public Reply header(String name, String value) {
    headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Returns the status. */
  public int status() {
    return status;
  }

  String contentType() {
    return contentType;
  }

  byte[] body() {
    return body;
  }

  @Nullable Streamer streamer() {
    return streamer;
  }

  Map<String, String> headers() {
    return headers;
  }
}
