package dev.lbkit.services.forward;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One forwarded request, as the {@link AccessLog} sees it. It never holds a query string, a header
 * or a body, so no secret reaches the log through it.
 *
 * @param method the request method
 * @param path the path sent to the backend, without its query
 * @param backend the backend's {@code host:port}
 * @param status the status the client was sent (the backend's, or the forwarder's 502/503/504)
 * @param duration from the start of forwarding until the last byte was written (or the failure)
 * @param responseBytes body bytes written to the client
 * @param error why the exchange failed (a short reason, no secret), or null if it did not
 */
public record AccessRecord(
    String method,
    String path,
    String backend,
    int status,
    Duration duration,
    long responseBytes,
    @Nullable String error) {

  /** Returns the record as one log line: {@code GET /path -> host:port 200 12 ms}. */
  public String toLine() {
    StringBuilder line =
        new StringBuilder(64)
            .append(method)
            .append(' ')
            .append(path)
            .append(" -> ")
            .append(backend)
            .append(' ')
            .append(status)
            .append(' ')
            .append(duration.toMillis())
            .append(" ms ")
            .append(responseBytes)
            .append(" B");
    if (error != null) {
      line.append(" (error: ").append(error).append(')');
    }
    return line.toString();
  }
}
