package dev.lbkit.services.kit;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;

/**
 * One request as an {@link Endpoint} sees it: method, path, route, path parameters, query, headers
 * and a body read within the server's limit. Fields added with {@link #logField} go into the
 * request's access-log line. Used by one thread at a time.
 */
public final class Exchange {
  private final Request request;
  private final String requestId;
  private final String route;
  private final Map<String, String> params;
  private final long maxBodyBytes;
  private final Map<String, Object> logFields = new LinkedHashMap<>();
  private @Nullable Fields query;
  private boolean closeConnection;
  private boolean bodyRead;

  Exchange(
      Request request,
      String requestId,
      String route,
      Map<String, String> params,
      long maxBodyBytes) {
    this.request = request;
    this.requestId = requestId;
    this.route = route;
    this.params = params;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Returns the request id: the client's valid {@code X-Request-ID}, else a generated one. */
  public String requestId() {
    return requestId;
  }

  /** Returns the method, upper case. */
  public String method() {
    return request.getMethod();
  }

  /** Returns the decoded path, without the query. */
  public String path() {
    return Request.getPathInContext(request);
  }

  /** Returns the template of the matched route ({@code /v1/sandboxes/{id}}): a metric label. */
  public String route() {
    return route;
  }

  /**
   * Returns the path parameter {@code name}.
   *
   * @throws IllegalArgumentException if the route has no such parameter
   */
  public String pathParam(String name) {
    String value = params.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "name: '" + name + "' (expected: a parameter of " + route + ")");
    }
    return value;
  }

  /** Returns the first value of query parameter {@code name}, or null. */
  public @Nullable String query(String name) {
    Fields fields = query;
    if (fields == null) {
      fields = Request.extractQueryParameters(request);
      query = fields;
    }
    return fields.getValue(name);
  }

  /** Returns the first value of header {@code name}, or null. */
  public @Nullable String header(String name) {
    return request.getHeaders().get(name);
  }

  /** Returns the client's address as the socket sees it. */
  public String remoteAddress() {
    return Request.getRemoteAddr(request);
  }

  /** Adds a field to this request's access-log line (never a secret or a body). */
  public Exchange logField(String name, Object value) {
    logFields.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return this;
  }

  Map<String, Object> logFields() {
    return logFields;
  }

  boolean closeConnection() {
    return closeConnection;
  }

  /** Returns whether the endpoint read the request's body (to its end, or to a 413). */
  boolean bodyRead() {
    return bodyRead;
  }

  /**
   * Reads the whole body, at most the server's limit. A body over the limit, whether declared by
   * {@code Content-Length} or found while reading, is read on to its end (up to a bound) and
   * discarded, so that the client, still sending, does receive the 413.
   *
   * @throws HttpError 413 if the body is over the limit
   */
  public byte[] body() throws IOException {
    bodyRead = true;
    long declared = request.getLength();
    InputStream in = Content.Source.asInputStream(request);
    if (declared > maxBodyBytes) {
      throw tooLarge(in, declared + " bytes");
    }
    int cap = (int) Math.min(maxBodyBytes, Integer.MAX_VALUE - 16);
    byte[] buffer = new byte[(int) Math.min(cap + 1L, declared >= 0 ? declared + 1 : 8192)];
    int size = 0;
    while (true) {
      if (size == buffer.length) {
        if (size > cap) {
          throw tooLarge(in, "more than " + maxBodyBytes + " bytes");
        }
        buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(cap + 1L, size * 2L));
      }
      int n = in.read(buffer, size, buffer.length - size);
      if (n < 0) {
        break;
      }
      size += n;
    }
    if (size > cap) {
      throw tooLarge(in, "more than " + maxBodyBytes + " bytes");
    }
    return size == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, size);
  }

  /** Reads and drops what the client still sends (up to 64 times the limit), then answers 413. */
  private HttpError tooLarge(InputStream in, String size) {
    closeConnection = true;
    long budget = Math.max(maxBodyBytes, 1L << 20) * 64;
    byte[] sink = new byte[16384];
    try {
      long dropped = 0;
      int n;
      while (dropped < budget && (n = in.read(sink)) >= 0) {
        dropped += n;
      }
    } catch (IOException e) {
      // the client went away: nobody reads the 413 anyway
    }
    return new HttpError(
        413,
        "payload_too_large",
        "request body of " + size + " (limit: " + maxBodyBytes + " bytes)");
  }

  /**
   * Reads the body as JSON into a {@code type}; null when the request has no body.
   *
   * @throws HttpError 415 if a body comes with a content type other than JSON, 400 if it is not
   *     JSON of that shape, 413 if it is over the limit
   */
  public <T> @Nullable T jsonBody(Class<T> type) throws IOException {
    long declared = request.getLength();
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (declared == 0 || (declared < 0 && contentType == null && !hasChunkedBody())) {
      return null;
    }
    if (!isJson(contentType)) {
      throw new HttpError(
          415,
          "unsupported_media_type",
          "Content-Type: "
              + (contentType == null ? "none" : "'" + shorten(contentType) + "'")
              + " (expected: application/json)");
    }
    byte[] bytes = body();
    if (bytes.length == 0) {
      return null;
    }
    try {
      return Json.read(bytes, type);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("malformed JSON body: " + shorten(String.valueOf(e.getMessage())));
    }
  }

  private boolean hasChunkedBody() {
    String te = request.getHeaders().get(HttpHeader.TRANSFER_ENCODING);
    return te != null;
  }

  /** Whether a content type is JSON: application/json or application/*+json, any parameters. */
  static boolean isJson(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json")
        || (type.startsWith("application/") && type.endsWith("+json"));
  }

  private static String shorten(String text) {
    String line = text.replaceAll("\\s+", " ");
    return line.length() <= 120 ? line : line.substring(0, 120) + "...";
  }
}
