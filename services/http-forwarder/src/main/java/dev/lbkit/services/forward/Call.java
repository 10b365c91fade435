package dev.lbkit.services.forward;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A small request the forwarder sends on a service's own behalf and whose answer it buffers (a
 * runner's submit, a worker's status): {@link HttpForwarder#send}. Not thread-safe; build, send,
 * forget.
 */
public final class Call {

  private final String method;
  private final String target;
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private byte @Nullable [] body;
  private @Nullable String contentType;
  private @Nullable Duration timeout;

  private Call(String method, String target) {
    this.method = Objects.requireNonNull(method, "method");
    this.target = Objects.requireNonNull(target, "target");
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("target: " + target + " (expected: starts with /)");
    }
  }

  /**
   * Returns a call of {@code method} to {@code target} (a path with an optional query, such as
   * {@code /v1/jobs/7?verbose=1}).
   *
   * @throws IllegalArgumentException if {@code target} does not start with {@code /}
   */
  public static Call of(String method, String target) {
    return new Call(method, target);
  }

  /** Returns a GET of {@code target}. */
  public static Call get(String target) {
    return new Call("GET", target);
  }

  /** Returns a POST of a JSON body (UTF-8) to {@code target}. */
  public static Call postJson(String target, String json) {
    return new Call("POST", target).body("application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** Adds a request header. */
  public Call header(String name, String value) {
    headers.add(
        Map.entry(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
    return this;
  }

  /** Sets the body and its content type. */
  public Call body(String contentType, byte[] body) {
    this.contentType = Objects.requireNonNull(contentType, "contentType");
    this.body = Objects.requireNonNull(body, "body").clone();
    return this;
  }

  /**
   * Sets how long the whole exchange may take; the forwarder's response timeout if not set.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public Call timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    this.timeout = timeout;
    return this;
  }

  String method() {
    return method;
  }

  String target() {
    return target;
  }

  List<Map.Entry<String, String>> headers() {
    return headers;
  }

  byte @Nullable [] body() {
    return body;
  }

  @Nullable String contentType() {
    return contentType;
  }

  @Nullable Duration timeout() {
    return timeout;
  }

  @Override
  public String toString() {
    return method + " " + target;
  }
}
