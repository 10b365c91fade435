package dev.lbkit.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a balancer may look at to route one request: the client's address, the method and path,
 * headers, cookies, and an optional routing key (a job id, a tenant, an idempotency key). Immutable
 * and thread-safe; build one with {@link #builder()}.
 *
 * <pre>{@code
 * Request request = Request.builder().clientIp("203.0.113.7").method("GET").path("/api")
 *     .cookie("LBKIT_AFFINITY", token).key("job-42").build();
 * }</pre>
 *
 * <p>Header names are case-insensitive; cookie names are not.
 */
public final class Request {

  private static final Request EMPTY = new Builder().build();

  private final @Nullable String clientIp;
  private final @Nullable String method;
  private final @Nullable String path;
  private final @Nullable String key;
  private final Map<String, String> headers;
  private final Map<String, String> cookies;

  private Request(Builder builder) {
    this.clientIp = builder.clientIp;
    this.method = builder.method;
    this.path = builder.path;
    this.key = builder.key;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.headers));
    this.cookies = Collections.unmodifiableMap(new LinkedHashMap<>(builder.cookies));
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a request that carries nothing: routed by the algorithm alone. */
  public static Request empty() {
    return EMPTY;
  }

  /** Returns the client's IP address, or null if not given. */
  public @Nullable String clientIp() {
    return clientIp;
  }

  /** Returns the method, such as {@code GET}, or null if not given. */
  public @Nullable String method() {
    return method;
  }

  /** Returns the path, such as {@code /api}, or null if not given. */
  public @Nullable String path() {
    return path;
  }

  /**
   * Returns the routing key, or null if not given: what {@link Algorithm#CONSISTENT_HASH} hashes
   * and what {@link SessionAffinity.Method#KEY} pins.
   */
  public @Nullable String key() {
    return key;
  }

  /** Returns the value of header {@code name} (any case), or null. */
  public @Nullable String header(String name) {
    return headers.get(Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT));
  }

  /** Returns the value of cookie {@code name}, or null. */
  public @Nullable String cookie(String name) {
    return cookies.get(Objects.requireNonNull(name, "name"));
  }

  /** Returns the headers, names in lower case. */
  public Map<String, String> headers() {
    return headers;
  }

  /** Returns the cookies. */
  public Map<String, String> cookies() {
    return cookies;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Request{");
    if (method != null) {
      s.append(method).append(' ');
    }
    if (path != null) {
      s.append(path).append(' ');
    }
    if (clientIp != null) {
      s.append("from ").append(clientIp).append(' ');
    }
    if (key != null) {
      s.append("key=").append(key).append(' ');
    }
    if (!headers.isEmpty()) {
      s.append("headers=").append(headers.keySet()).append(' '); // values may be secrets
    }
    if (!cookies.isEmpty()) {
      s.append("cookies=").append(cookies.keySet()).append(' ');
    }
    return s.toString().trim() + "}";
  }

  /** Builds a {@link Request}. Not thread-safe; every setter returns this builder. */
  public static final class Builder {
    private @Nullable String clientIp;
    private @Nullable String method;
    private @Nullable String path;
    private @Nullable String key;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> cookies = new LinkedHashMap<>();

    private Builder() {}

    /** Sets the client's IP address. */
    public Builder clientIp(String clientIp) {
      this.clientIp = requireNotBlank(clientIp, "clientIp");
      return this;
    }

    /** Sets the method. */
    public Builder method(String method) {
      this.method = requireNotBlank(method, "method");
      return this;
    }

    /** Sets the path. */
    public Builder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Sets the routing key (a job id, tenant, idempotency key...). */
    public Builder key(String key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Adds a header; a later value for the same name (any case) replaces the earlier one. */
    public Builder header(String name, String value) {
      headers.put(
          requireNotBlank(name, "name").toLowerCase(Locale.ROOT),
          Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds a cookie; a later value for the same name replaces the earlier one. */
    public Builder cookie(String name, String value) {
      cookies.put(requireNotBlank(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Returns the request. */
    public Request build() {
      return new Request(this);
    }

    private static String requireNotBlank(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + ": '" + value + "' (expected: not blank)");
      }
      return value;
    }
  }
}
