package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Sends {@code GET http(s)://host:port/path} with the configured headers and judges the status, the
 * body and optionally a load figure: the probe behind {@link Probe#http} and {@link
 * HttpProbeBuilder}. Thread-safe; nothing a server or the network does makes it throw.
 */
final class HttpProbe implements Probe {

  /*
   * How an HTTP probe stays within its timeout, and whose client it uses.
   *
   * The client. Inside a HealthChecker, every HTTP probe uses the checker's HttpClient for its
   * SSLContext (one per checker, on the checker's own threads, ended by stop()); the checker calls
   * probe(server, timeout, client). Called directly, a probe builds a client of its own on first
   * use and keeps it (its connection pool reuses keep-alive connections between probes).
   *
   * The deadline. HttpRequest.timeout covers only the wait for the response headers, and the
   * client's connectTimeout is fixed when the client is built, so neither alone bounds an
   * exchange: a server can send its headers at once and then trickle the body. The probe therefore
   * sends with sendAsync and waits on the future with get(time left); when that times out (or the
   * thread is interrupted) it cancels the future, which since JDK 16 aborts the exchange and closes
   * its connection. DNS resolution and connecting happen inside the client's exchange, on its
   * threads, so the same wait bounds them. The body is read into memory only up to MAX_BODY_BYTES:
   * past that the probe stops reading (closing that connection) and judges the first
   * MAX_BODY_BYTES, so a huge or endless body costs neither memory nor time. The body predicate and
   * the load extractor run on the probing thread after the exchange; they are the caller's code and
   * should be quick (the HealthChecker bounds the whole probe anyway).
   *
   * Host names. A Server's host is already in the form a URI takes: lb-core refuses names that are
   * not ASCII, so an internationalised name is given in its ASCII form (xn--bcher-kva.example).
   */

  /** A body predicate that accepts every body: the one a plain {@code Probe.http(path)} needs. */
  static final Predicate<String> ANY_BODY = body -> true;

  /** The most of a response body an HTTP probe reads; the predicate sees at most this much. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * The HTTP client's connect timeout: a backstop only, since each exchange is bounded by its
   * probe's own timeout and cancelled when that runs out.
   */
  private static final Duration CLIENT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** HttpRequest.timeout is clamped to this; the probe's own wait bounds the exchange anyway. */
  private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofDays(1);

  private final String path;
  private final boolean https;
  private final @Nullable SSLContext sslContext;
  private final List<String> headers; // name, value, name, value, ...
  private final BitSet expected; // the statuses that pass
  private final String expectedText;
  private final Predicate<String> body;
  private final @Nullable ToLongFunction<String> load;
  private final Object ownClientLock = new Object();
  private @Nullable HttpClient ownClient; // guarded by ownClientLock: for direct calls only

  HttpProbe(
      String path,
      boolean https,
      @Nullable SSLContext sslContext,
      List<String> headers,
      BitSet expected,
      String expectedText,
      Predicate<String> body,
      @Nullable ToLongFunction<String> load) {
    this.path = path;
    this.https = https;
    this.sslContext = sslContext;
    this.headers = List.copyOf(headers);
    this.expected = (BitSet) expected.clone();
    this.expectedText = expectedText;
    this.body = body;
    this.load = load;
  }

  /** The settings every client of an HTTP probe has; the caller adds an executor if it owns one. */
  static HttpClient.Builder clientBuilder(@Nullable SSLContext ssl) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CLIENT_CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER); // a redirect is judged, not followed
    // no proxy: a health check goes straight to the server
    return ssl != null ? builder.sslContext(ssl) : builder;
  }

  /** The SSLContext whose client this probe needs; null for the JDK's default. */
  @Nullable SSLContext sslContext() {
    return sslContext;
  }

  @Override
  public ProbeResult probe(Server server, Duration timeout) {
    HttpClient client;
    synchronized (ownClientLock) {
      client = ownClient;
      if (client == null) {
        client = clientBuilder(sslContext).build();
        ownClient = client;
      }
    }
    return probe(server, timeout, client);
  }

  /** Probes {@code server} with {@code client}: how a health checker calls its HTTP probes. */
  ProbeResult probe(Server server, Duration timeout, HttpClient client) {
    Objects.requireNonNull(server, "server");
    long budget = Probes.budgetNanos(timeout);
    long start = Probes.CLOCK.read();
    HttpRequest request;
    try {
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(uri(server))
              .GET()
              .timeout(timeout.compareTo(MAX_REQUEST_TIMEOUT) < 0 ? timeout : MAX_REQUEST_TIMEOUT)
              .header("User-Agent", "lbkit-health");
      for (int i = 0; i < headers.size(); i += 2) {
        builder.setHeader(headers.get(i), headers.get(i + 1));
      }
      request = builder.build();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return ProbeResult.failed(e); // a host name that cannot make a URI, say
    }
    CompletableFuture<HttpResponse<String>> exchange;
    HttpResponse<String> response;
    try {
      exchange = client.sendAsync(request, CappedBody::new);
    } catch (RuntimeException e) {
      return ProbeResult.failed(e);
    }
    try {
      response = exchange.get(Math.max(0, Probes.left(start, budget)), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true); // aborts the exchange and closes its connection
      return ProbeResult.failed(
          new HttpTimeoutException(
              "GET " + request.uri() + " took over the timeout of " + timeout));
    } catch (InterruptedException e) {
      exchange.cancel(true);
      return Probes.interrupted(e);
    } catch (ExecutionException e) {
      return ProbeResult.failed(Objects.requireNonNullElse(e.getCause(), e));
    }
    return judge(response);
  }

  /**
   * Returns the URI to probe on {@code server}: the scheme, the server's id (host:port, an IPv6
   * literal bracketed as a URI authority needs) and the path.
   *
   * @throws URISyntaxException if the host cannot make a URI
   */
  URI uri(Server server) throws URISyntaxException {
    return new URI((https ? "https://" : "http://") + server.id() + path);
  }

  private ProbeResult judge(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status < 0 || !expected.get(status)) {
      return ProbeResult.failed("HTTP " + status + " (expected: " + expectedText + ")");
    }
    String text = response.body();
    try {
      if (!body.test(text)) {
        return ProbeResult.failed("body rejected");
      }
    } catch (RuntimeException e) {
      return ProbeResult.failed(e);
    }
    ToLongFunction<String> load = this.load;
    if (load == null) {
      return ProbeResult.passed();
    }
    long reported;
    try {
      reported = load.applyAsLong(text);
    } catch (RuntimeException e) {
      return ProbeResult.failed(e);
    }
    if (reported < 0) {
      return ProbeResult.failed("load: " + reported + " (expected: >= 0)");
    }
    return ProbeResult.passed(reported);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(https ? "Probe.https(" : "Probe.http(").append(path);
    if (!"2xx".equals(expectedText)) {
      s.append(", status ").append(expectedText);
    }
    for (int i = 0; i < headers.size(); i += 2) {
      s.append(", header ").append(headers.get(i)); // names only: values may be secrets
    }
    if (body != ANY_BODY) {
      s.append(", body predicate");
    }
    if (load != null) {
      s.append(", load");
    }
    return s.append(')').toString();
  }

  /**
   * Collects a response body as a String, keeping at most {@link #MAX_BODY_BYTES}: once it has that
   * much and more arrives, it cancels the subscription (closing the connection) and completes with
   * what it has. Flow delivers its signals one at a time with happens-before between them, so the
   * plain fields need no locking; the result is a CompletableFuture, safe to read anywhere.
   */
  private static final class CappedBody implements HttpResponse.BodySubscriber<String> {

    private final Charset charset;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;
    private boolean done;

    CappedBody(HttpResponse.ResponseInfo info) {
      this.charset = charsetOf(info.headers());
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE); // buffers are pushed as they arrive; we keep few
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (done) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        int room = MAX_BODY_BYTES - bytes.size();
        if (buffer.remaining() > room) { // more than we keep: take what fits and stop reading
          byte[] chunk = new byte[room];
          buffer.get(chunk);
          bytes.write(chunk, 0, room);
          done = true;
          Flow.@Nullable Subscription s = subscription;
          if (s != null) {
            s.cancel();
          }
          result.complete(bytes.toString(charset));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable error) {
      if (!done) {
        done = true;
        result.completeExceptionally(error);
      }
    }

    @Override
    public void onComplete() {
      if (!done) {
        done = true;
        result.complete(bytes.toString(charset));
      }
    }

    @Override
    public CompletionStage<String> getBody() {
      return result;
    }

    /** The charset named by Content-Type, else UTF-8 (the JSON default, and ASCII-compatible). */
    private static Charset charsetOf(HttpHeaders headers) {
      String type = headers.firstValue("Content-Type").orElse("");
      int at = type.toLowerCase(Locale.ROOT).indexOf("charset=");
      if (at < 0) {
        return StandardCharsets.UTF_8;
      }
      String name = type.substring(at + "charset=".length());
      int end = name.indexOf(';');
      name = (end < 0 ? name : name.substring(0, end)).trim().replace("\"", "");
      try {
        return Charset.forName(name);
      } catch (IllegalArgumentException e) { // illegal or unsupported name
        return StandardCharsets.UTF_8;
      }
    }
  }
}
