package dev.lbkit.services.kit;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link Endpoint} answers: a status, a body with its content type, and headers. Immutable
 * but for {@link #header}, which the endpoint calls before returning it.
 */
public final class Reply {
  private final int status;
  private final String contentType;
  private final byte[] body;
  private final Map<String, String> headers = new LinkedHashMap<>();

  private Reply(int status, String contentType, byte[] body) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100..599)");
    }
    this.status = status;
    this.contentType = contentType;
    this.body = body;
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

  Map<String, String> headers() {
    return headers;
  }
}
