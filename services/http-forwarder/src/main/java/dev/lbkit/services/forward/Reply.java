package dev.lbkit.services.forward;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/** A backend's answer to a {@link Call}, its body held in memory. Immutable. */
public final class Reply {

  private final int status;
  private final HttpFields headers;
  private final byte[] body;

  Reply(int status, HttpFields headers, byte[] body) {
    this.status = status;
    this.headers = headers.asImmutable();
    this.body = body;
  }

  /** Returns the status code. */
  public int status() {
    return status;
  }

  /** Returns whether the status is 2xx. */
  public boolean ok() {
    return status >= 200 && status < 300;
  }

  /** Returns the response headers, hop-by-hop ones included (this is not a forwarded message). */
  public HttpFields headers() {
    return headers;
  }

  /** Returns the first value of header {@code name}, or null. */
  public @Nullable String header(String name) {
    return headers.get(name);
  }

  /** Returns a copy of the body. */
  public byte[] body() {
    return body.clone();
  }

  /** Returns the body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Reply{" + status + ", " + body.length + " B}";
  }
}
