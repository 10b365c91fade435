package dev.lbkit.examples.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading a request and answering it with JSON, for the handlers of a {@link LoopbackServer}. */
public final class Exchanges {

  /** The largest request body read; a larger one is answered with 413. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private Exchanges() {}

  /**
   * Reads the request body as one flat JSON object (see {@link Json#parseObject}).
   *
   * @throws HttpError 400 if it is not one, 413 if it is over {@link #MAX_BODY_BYTES}
   */
  public static Map<String, Object> jsonBody(HttpExchange exchange) throws IOException {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new HttpError(413, "body: over " + MAX_BODY_BYTES + " bytes");
    }
    try {
      return Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "body: " + e.getMessage());
    }
  }

  /**
   * Returns the request path split at {@code /}, empty segments dropped: {@code /v1/jobs/j-1} gives
   * {@code [v1, jobs, j-1]}.
   */
  public static List<String> pathSegments(HttpExchange exchange) {
    List<String> segments = new ArrayList<>();
    for (String s : exchange.getRequestURI().getPath().split("/", -1)) {
      if (!s.isEmpty()) {
        segments.add(s);
      }
    }
    return segments;
  }

  /**
   * Returns the query parameters, decoded; for a repeated name, the last value.
   *
   * @throws HttpError 400 if the query is not properly percent-encoded
   */
  public static Map<String, String> queryParameters(HttpExchange exchange) {
    Map<String, String> parameters = new LinkedHashMap<>();
    String query = exchange.getRequestURI().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        try {
          parameters.put(
              URLDecoder.decode(name, StandardCharsets.UTF_8),
              URLDecoder.decode(value, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw new HttpError(400, "query: not percent-encoded properly");
        }
      }
    }
    return parameters;
  }

  /**
   * Answers with {@code status} and {@code body} written as JSON (see {@link Json#write}), and
   * closes the exchange.
   */
  public static void respond(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Answers with {@code status} and {@code {"error": message}}, and closes the exchange. */
  public static void respondError(HttpExchange exchange, int status, String message)
      throws IOException {
    respond(exchange, status, Map.of("error", message));
  }
}
