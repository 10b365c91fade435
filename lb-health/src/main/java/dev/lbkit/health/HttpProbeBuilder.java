package dev.lbkit.health;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Builds an HTTP(S) health probe: the scheme and {@code SSLContext}, request headers, the statuses
 * that pass, and what the body must say. Get one from {@link Probe#httpBuilder(String)}.
 *
 * <pre>{@code
 * Probe probe = Probe.httpBuilder("/ready")
 *     .sslContext(trustingOurCa)                  // https, verified against our CA
 *     .header("Authorization", "Bearer " + token)
 *     .expectStatusBetween(200, 399)              // 2xx by default
 *     .build();
 * }</pre>
 *
 * <p>The probe sends {@code GET scheme://host:port + path}, where host and port are the server's
 * (an internationalised name given in its ASCII form, {@code xn--...}), does not follow redirects,
 * reads at most 64 KiB of the body, and is bounded by the checker's timeout whatever the server
 * does. Inside a {@link HealthChecker} it uses the checker's one HTTP client for its {@code
 * SSLContext}, on the checker's own threads.
 *
 * <p>The JDK's HTTP client refuses a few headers it sets itself ({@code Host}, {@code Connection},
 * {@code Content-Length}, {@code Expect}, {@code Upgrade}) unless the JVM runs with {@code
 * -Djdk.httpclient.allowRestrictedHeaders=host} (a comma-separated list): {@link #header} checks at
 * once. Not thread-safe; the probe it builds is.
 */
public final class HttpProbeBuilder {

  private final String path;
  private boolean https;
  private @Nullable SSLContext sslContext;
  private final List<String> headers = new ArrayList<>();
  private final BitSet expected = new BitSet();
  private String expectedText = "2xx";
  private Predicate<String> body = HttpProbe.ANY_BODY;
  private @Nullable ToLongFunction<String> load;

  HttpProbeBuilder(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path: '" + path + "' (expected: starts with /)");
    }
    try {
      URI uri = new URI("http://localhost" + path);
      if (uri.getRawFragment() != null) {
        throw new IllegalArgumentException("path: '" + path + "' (expected: no #fragment)");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "path: '" + path + "' (expected: a valid URI path: " + e.getReason() + ")", e);
    }
    this.path = path;
    expected.set(200, 300);
  }

  /** Probes with {@code https}, verifying the server with the JDK's default {@code SSLContext}. */
  public HttpProbeBuilder https() {
    this.https = true;
    return this;
  }

  /**
   * Probes with {@code https}, verifying the server with {@code sslContext} (one that trusts your
   * own CA, say).
   *
   * @throws NullPointerException if {@code sslContext} is null
   */
  public HttpProbeBuilder sslContext(SSLContext sslContext) {
    this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
    this.https = true;
    return this;
  }

  /**
   * Sends the request header {@code name: value} with every probe, replacing an earlier value of
   * the same name (an {@code Authorization} header, say). The value shows in no {@code toString}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name or value is not valid in HTTP, or the JDK's client
   *     may not send that header (see the class documentation)
   */
  public HttpProbeBuilder header(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    try {
      HttpRequest.newBuilder().header(name, value); // the client's own checks, at once
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "header: '"
              + name
              + "' (expected: a valid header the JDK's HTTP client may send; "
              + e.getMessage()
              + "; restricted ones need -Djdk.httpclient.allowRestrictedHeaders)",
          e);
    }
    for (int i = 0; i < headers.size(); i += 2) {
      if (headers.get(i).toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        headers.set(i + 1, value);
        return this;
      }
    }
    headers.add(name);
    headers.add(value);
    return this;
  }

  /**
   * Passes only on one of {@code statuses}, instead of 2xx: {@code expectStatus(204)} only on 204.
   *
   * @throws IllegalArgumentException if there is none, or one is not within {@code 100..599}
   */
  public HttpProbeBuilder expectStatus(int... statuses) {
    Objects.requireNonNull(statuses, "statuses");
    if (statuses.length == 0) {
      throw new IllegalArgumentException("statuses: [] (expected: at least one)");
    }
    BitSet set = new BitSet();
    for (int status : statuses) {
      checkStatus(status, "status");
      set.set(status);
    }
    StringBuilder text = new StringBuilder();
    set.stream().forEach(s -> text.append(text.length() == 0 ? "" : ",").append(s));
    expected.clear();
    expected.or(set);
    expectedText = text.toString();
    return this;
  }

  /**
   * Passes on a status from {@code from} to {@code to}, both included, instead of 2xx: {@code
   * expectStatusBetween(200, 399)} also accepts redirects.
   *
   * @throws IllegalArgumentException if either is not within {@code 100..599}, or {@code to < from}
   */
  public HttpProbeBuilder expectStatusBetween(int from, int to) {
    checkStatus(from, "from");
    checkStatus(to, "to");
    if (to < from) {
      throw new IllegalArgumentException("to: " + to + " (expected: >= from " + from + ")");
    }
    expected.clear();
    expected.set(from, to + 1);
    expectedText = from == to ? String.valueOf(from) : from + "-" + to;
    return this;
  }

  private static void checkStatus(int status, String name) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException(name + ": " + status + " (expected: 100..599)");
    }
  }

  /**
   * Passes only if the body (its first 64 KiB) satisfies {@code body}: how a coordinator checks
   * that a worker is the one it expects. A predicate that throws fails the probe.
   *
   * @throws NullPointerException if {@code body} is null
   */
  public HttpProbeBuilder body(Predicate<String> body) {
    this.body = Objects.requireNonNull(body, "body");
    return this;
  }

  /**
   * Reads a load figure from the accepted body (a queue depth, say), which the checker hands to
   * {@code Server.reportLoad}. A function that throws or returns a negative number fails the probe.
   *
   * @throws NullPointerException if {@code load} is null
   */
  public HttpProbeBuilder load(ToLongFunction<String> load) {
    this.load = Objects.requireNonNull(load, "load");
    return this;
  }

  /** Returns the probe. */
  public Probe build() {
    return new HttpProbe(path, https, sslContext, headers, expected, expectedText, body, load);
  }
}
