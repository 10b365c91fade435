package dev.lbkit.services.kit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP error an endpoint answers with: its status, a machine-readable {@code error} code and a
 * human {@code message}, sent as {@code {"error": ..., "message": ...}}. Throw it from an {@link
 * Endpoint}; the server writes it and logs the code, never a stack trace.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;
  private final Map<String, String> headers;

  /**
   * Creates an error.
   *
   * @throws IllegalArgumentException if {@code status} is not in 400..599
   */
  public HttpError(int status, String error, String message) {
    this(status, error, message, Map.of());
  }

  /** Creates an error with response headers (such as {@code Retry-After}). */
  public HttpError(int status, String error, String message, Map<String, String> headers) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400..599)");
    }
    this.status = status;
    this.error = Objects.requireNonNull(error, "error");
    this.headers = Map.copyOf(headers);
  }

  /** 400: a request the server will not act on, as {@code message} says. */
  public static HttpError badRequest(String message) {
    return new HttpError(400, "bad_request", message);
  }

  /** 401: no or an unknown credential. */
  public static HttpError unauthorized(String message) {
    return new HttpError(401, "unauthorized", message, Map.of("WWW-Authenticate", "Bearer"));
  }

  /** 403: a known caller without the right. */
  public static HttpError forbidden(String message) {
    return new HttpError(403, "forbidden", message);
  }

  /** 404. */
  public static HttpError notFound(String message) {
    return new HttpError(404, "not_found", message);
  }

  /** Returns the status. */
  public int status() {
    return status;
  }

  /** Returns the error code. */
  public String error() {
    return error;
  }

  /** Returns the extra response headers. */
  public Map<String, String> headers() {
    return headers;
  }

  /** Returns the JSON body. */
  public Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("message", getMessage());
    return body;
  }
}
