package dev.lbkit.services.kit;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The one Jetty handler of a service: request id, security headers, CORS (only for configured
 * origins), routing, the endpoint, the JSON error body, the access-log line and the observer.
 */
final class KitHandler extends Handler.Abstract {
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  static final String UNMATCHED = "unmatched";

  private final Routes routes;
  private final long maxBodyBytes;
  private final JsonLog log;
  private final RequestObserver observer;
  private final List<String> corsOrigins;
  private final LongSupplier ticker; // nanoseconds, for latencies

  KitHandler(
      Routes routes,
      long maxBodyBytes,
      JsonLog log,
      RequestObserver observer,
      List<String> corsOrigins,
      LongSupplier ticker) {
    super(InvocationType.BLOCKING);
    this.routes = routes;
    this.maxBodyBytes = maxBodyBytes;
    this.log = log;
    this.observer = observer;
    this.corsOrigins = List.copyOf(corsOrigins);
    this.ticker = ticker;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    long start = ticker.getAsLong();
    String requestId = requestId(request);
    HttpFields.Mutable headers = response.getHeaders();
    securityHeaders(headers);
    headers.put("X-Request-ID", requestId);
    String method = request.getMethod();
    String path = Request.getPathInContext(request);
    boolean cors = cors(request, headers);
    String route = UNMATCHED;
    Reply reply;
    String error = null;
    Exchange exchange = null;
    try {
      if (cors && "OPTIONS".equals(method)) {
        reply = Reply.empty(204);
      } else {
        Routes.Match match = routes.match(method, path);
        Routes.Route found = match.route;
        if (found == null) {
          if (!match.allowed.isEmpty()) {
            throw new HttpError(
                405,
                "method_not_allowed",
                method + " (expected: " + String.join(", ", match.allowed) + ")",
                Map.of("Allow", String.join(", ", match.allowed)));
          }
          throw HttpError.notFound("no route for " + method + " " + shorten(path));
        }
        route = found.template();
        exchange = new Exchange(request, requestId, route, match.params, maxBodyBytes);
        if (found.endpoint() instanceof Routes.Streaming streaming) {
          streaming
              .endpoint()
              .handle(exchange, request, response, streamed(exchange, start, callback, response));
          return true;
        }
        reply = found.endpoint().handle(exchange);
      }
    } catch (HttpError e) {
      error = e.error();
      reply = Reply.json(e.status(), e.body());
      e.headers().forEach(reply::header);
    } catch (Exception e) {
      error = "internal";
      reply = internalError(requestId, method, route, e);
    }
    if ((exchange != null && exchange.closeConnection())
        || (hasBody(request) && (exchange == null || !exchange.bodyRead()))) {
      // A body left unread (a request refused before its body was looked at: 401, 404...)
      // cannot be skipped reliably: say so, or a client reusing the connection reads EOF.
      headers.put(HttpHeader.CONNECTION, "close");
    }
    reply.headers().forEach(headers::put);
    Reply.Streamer streamer = reply.streamer();
    if (streamer != null) {
      String streamedRoute = route;
      Exchange streamedExchange = exchange;
      try {
        CompletableFuture<Integer> sent = streamer.stream(request, response, callback);
        CompletableFuture<?> unused =
            sent.whenComplete(
                (status, failure) ->
                    access(
                        requestId,
                        method,
                        streamedRoute,
                        status == null ? 500 : status,
                        failure == null ? "ok" : "stream_failed",
                        start,
                        -1,
                        streamedExchange));
        return true;
      } catch (Exception e) {
        error = "internal";
        reply = internalError(requestId, method, route, e);
      }
    }
    response.setStatus(reply.status());
    byte[] body = reply.body();
    if (!reply.contentType().isEmpty()) {
      headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
    }
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    access(
        requestId,
        method,
        route,
        reply.status(),
        error == null ? "ok" : error,
        start,
        body.length,
        exchange);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  /** Logs an endpoint's unexpected exception and returns the 500 that names the request id. */
  private Reply internalError(String requestId, String method, String route, Exception e) {
    log.error("request")
        .field("request_id", requestId)
        .field("method", method)
        .field("route", route)
        .exception(e)
        .write();
    return Reply.json(
        500,
        new HttpError(500, "internal", "internal error (request id " + requestId + ")").body());
  }

  /** Writes the request's access-log line (bytes -1: not known) and tells the observer. */
  private void access(
      String requestId,
      String method,
      String route,
      int status,
      String outcome,
      long start,
      long bytes,
      @Nullable Exchange exchange) {
    long nanos = ticker.getAsLong() - start;
    JsonLog.Line line =
        log.info("access")
            .field("request_id", requestId)
            .field("method", method)
            .field("route", route)
            .field("status", status)
            .outcome(outcome)
            .latencyNanos(nanos);
    if (bytes >= 0) {
      line.field("bytes", bytes);
    }
    if (exchange != null) {
      exchange.logFields().forEach(line::field);
    }
    line.write();
    observer.completed(method, route, status, nanos);
  }

  private static boolean hasBody(Request request) {
    long length = request.getLength();
    return length > 0
        || (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
  }

  /** Wraps a streaming endpoint's callback: the access line and the observer when it completes. */
  private Callback streamed(Exchange exchange, long start, Callback callback, Response response) {
    Runnable done =
        () -> {
          int status = response.getStatus();
          access(
              exchange.requestId(),
              exchange.method(),
              exchange.route(),
              status,
              status < 400 ? "ok" : "http_" + status,
              start,
              Response.getContentBytesWritten(response),
              exchange);
        };
    return Callback.from(
        () -> {
          done.run();
          callback.succeeded();
        },
        failure -> {
          done.run();
          callback.failed(failure);
        });
  }

  private static String requestId(Request request) {
    String given = request.getHeaders().get("X-Request-ID");
    if (given != null && REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  private static void securityHeaders(HttpFields.Mutable headers) {
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Frame-Options", "DENY");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    headers.put(HttpHeader.CACHE_CONTROL, "no-store");
  }

  /** Adds CORS headers when the request's origin is configured; returns whether it was. */
  private boolean cors(Request request, HttpFields.Mutable headers) {
    if (corsOrigins.isEmpty()) {
      return false;
    }
    HttpField origin = request.getHeaders().getField(HttpHeader.ORIGIN);
    if (origin == null || !(corsOrigins.contains(origin.getValue()) || corsOrigins.contains("*"))) {
      return false;
    }
    headers.put("Access-Control-Allow-Origin", origin.getValue());
    headers.put(HttpHeader.VARY, "Origin");
    headers.put("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    headers.put(
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, X-Track-ID, Idempotency-Key, X-Request-ID");
    headers.put("Access-Control-Max-Age", "600");
    return true;
  }

  private static String shorten(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "...";
  }
}
