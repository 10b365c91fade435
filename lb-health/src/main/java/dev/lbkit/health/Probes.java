package dev.lbkit.health;

import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The built-in probes behind {@link Probe#tcp()} and {@link Probe#http(String, Predicate)}.
 *
 * <p>Both are thread-safe: any number of threads may probe any servers with one instance at once.
 * Neither throws for anything a server or the network does: a refused connection, a timeout, a bad
 * status, a rejected body, or an interrupt all come back as a failed {@link ProbeResult} (an
 * interrupt also leaves the thread's interrupt flag set). Only bad arguments throw.
 */
final class Probes {

  /*
   * How a probe stays within its timeout, whatever the server does.
   *
   * Every probe takes one deadline, `timeout` from its start on the system Ticker, and spends it
   * across all of its steps: nothing waits without a bound taken from what is left.
   *
   * Name resolution. InetAddress.getByName blocks for as long as the operating system's resolver
   * takes, with no timeout we can pass, and a dead DNS server can hold it for tens of seconds. So a
   * host that is an IP literal is parsed inline (no lookup happens), and any other name is resolved
   * on a RESOLVER thread while the probe waits at most the time left. A lookup that overruns fails
   * the probe and is left to finish on its own thread (the resolver's own timeouts end it; the pool
   * has no fixed size, so one hung lookup never queues the others, and idle threads exit after a
   * few seconds). The JDK caches answers, so a healthy name costs one lookup per cache period.
   *
   * TCP. A non-blocking SocketChannel connects and a Selector waits for OP_CONNECT for at most the
   * time left, again and again until finishConnect() says the connection is up or refused, or the
   * deadline passes. The channel and the selector are closed whatever happens. An interrupt wakes
   * the selector; the probe sees the flag and fails at once.
   *
   * HTTP. java.net.http.HttpClient, one per probe instance (its connection pool reuses keep-alive
   * connections between probes of the same server). HttpRequest.timeout covers only the wait for
   * the response headers, and the client's connectTimeout is fixed when the client is built, so
   * neither alone bounds an exchange: a server can send its headers at once and then trickle the
   * body. The probe therefore sends with sendAsync and waits on the future with get(time left);
   * when that times out (or the thread is interrupted) it cancels the future, which since JDK 16
   * aborts the exchange and closes its connection. DNS resolution and connecting happen inside the
   * client's exchange, on its threads, so the same wait bounds them. The body is read into memory
   * only up to MAX_BODY_BYTES: past that the probe stops reading (closing that connection) and
   * judges the first MAX_BODY_BYTES, so a huge or endless body costs neither memory nor time.
   * The body predicate and the load extractor run on the probing thread after the exchange; they
   * are the caller's code and should be quick (the HealthChecker bounds the whole probe anyway).
   */

  /** The TCP connect probe: {@link Probe#tcp()}. */
  static final Probe TCP = new TcpProbe();

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

  private static final Ticker CLOCK = Ticker.system();

  private static final Pattern IPV4_LITERAL =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

  /** Resolves host names for TCP probes, so that a hung lookup never holds a probe. */
  private static final ExecutorService RESOLVER = newResolver();

  private Probes() {}

  /**
   * Returns an HTTP probe of {@code path} that passes on a 2xx status whose body satisfies {@code
   * body}.
   *
   * @throws IllegalArgumentException if {@code path} does not start with {@code /} or is not a
   *     valid URI path
   * @throws NullPointerException if an argument is null
   */
  static Probe http(String path, Predicate<String> body) {
    return http(path, body, null);
  }

  /**
   * Returns an HTTP probe of {@code path} that passes on a 2xx status whose body satisfies {@code
   * body}, carrying the load that {@code load} reads from the body if it is not null. A load
   * extractor that throws or returns a negative number fails the probe.
   *
   * @throws IllegalArgumentException if {@code path} does not start with {@code /} or is not a
   *     valid URI path
   * @throws NullPointerException if {@code path} or {@code body} is null
   */
  static Probe http(String path, Predicate<String> body, @Nullable ToLongFunction<String> load) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(body, "body");
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
    return new HttpProbe(path, body, load);
  }

  // ---------------------------------------------------------------- shared helpers

  /** Validates {@code timeout} and returns it in nanoseconds, saturated at Long.MAX_VALUE. */
  private static long budgetNanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // hundreds of years: as good as forever
    }
  }

  /**
   * Returns the nanoseconds left of {@code budget} since {@code start}; may be zero or negative.
   */
  private static long left(long start, long budget) {
    return budget - (CLOCK.read() - start); // by subtraction: right across numeric overflow
  }

  private static ProbeResult interrupted(InterruptedException e) {
    Thread.currentThread().interrupt(); // whoever interrupted us should still see it
    return ProbeResult.failed(e);
  }

  private static ExecutorService newResolver() {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        5,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        task -> {
          Thread thread = new Thread(task, "lbkit-probe-resolver-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Resolves {@code host} within what is left of the budget: inline if it is an IP literal (no
   * lookup happens), else on a resolver thread.
   */
  private static InetAddress resolve(String host, long start, long budget)
      throws IOException, InterruptedException {
    if (isIpLiteral(host)) {
      return InetAddress.getByName(host);
    }
    Future<InetAddress> lookup = RESOLVER.submit(() -> InetAddress.getByName(host));
    try {
      return lookup.get(Math.max(0, left(start, budget)), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      lookup.cancel(true);
      throw new SocketTimeoutException("resolving " + host + " took over the timeout");
    } catch (InterruptedException e) {
      lookup.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause; // UnknownHostException, mostly
      }
      throw new IOException("resolving " + host + " failed", cause);
    }
  }

  /**
   * Returns whether {@link InetAddress#getByName} parses {@code host} without a lookup: a dotted
   * IPv4 address, or an IPv6 one, bracketed or not (a host with a colon that is not valid IPv6 is
   * rejected by the JDK without a lookup too).
   */
  private static boolean isIpLiteral(String host) {
    if (host.startsWith("[")) {
      return true;
    }
    if (host.indexOf(':') >= 0) {
      char first = host.charAt(0);
      return first == ':' || Character.digit(first, 16) >= 0;
    }
    return IPV4_LITERAL.matcher(host).matches();
  }

  // ---------------------------------------------------------------- TCP

  /** Connects to the server's host and port, then closes the connection at once. */
  private static final class TcpProbe implements Probe {

    @Override
    public ProbeResult probe(Server server, Duration timeout) {
      Objects.requireNonNull(server, "server");
      long budget = budgetNanos(timeout);
      long start = CLOCK.read();
      try {
        InetSocketAddress address =
            new InetSocketAddress(resolve(server.host(), start, budget), server.port());
        connect(address, start, budget, timeout);
        return ProbeResult.passed();
      } catch (InterruptedException e) {
        return interrupted(e);
      } catch (IOException | RuntimeException e) {
        return ProbeResult.failed(e);
      }
    }

    private static void connect(
        InetSocketAddress address, long start, long budget, Duration timeout) throws IOException {
      // Resources close in reverse: the selector first (deregistering the channel), then the
      // channel.
      try (SocketChannel channel = SocketChannel.open();
          Selector selector = Selector.open()) {
        channel.configureBlocking(false);
        if (channel.connect(address)) {
          return; // connected at once, as loopback sometimes does
        }
        channel.register(selector, SelectionKey.OP_CONNECT);
        while (!channel.finishConnect()) { // throws ConnectException when refused
          if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while connecting to " + address);
          }
          long left = left(start, budget);
          if (left <= 0) {
            throw new SocketTimeoutException(
                "connect to " + address + " took over the timeout of " + timeout);
          }
          // Round up, so that a last fraction of a millisecond is waited, not spun on.
          selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
          selector.selectedKeys().clear();
        }
      }
    }

    @Override
    public String toString() {
      return "Probe.tcp()";
    }
  }

  // ---------------------------------------------------------------- HTTP

  /** Sends {@code GET http://host:port/path} and judges the status and body. */
  private static final class HttpProbe implements Probe {

    private final String path;
    private final Predicate<String> body;
    private final @Nullable ToLongFunction<String> load;
    private final HttpClient client;

    HttpProbe(String path, Predicate<String> body, @Nullable ToLongFunction<String> load) {
      this.path = path;
      this.body = body;
      this.load = load;
      this.client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(CLIENT_CONNECT_TIMEOUT)
              .followRedirects(HttpClient.Redirect.NEVER) // a redirect is not a 2xx
              .build(); // no proxy: a health check goes straight to the server
    }

    @Override
    public ProbeResult probe(Server server, Duration timeout) {
      Objects.requireNonNull(server, "server");
      long budget = budgetNanos(timeout);
      long start = CLOCK.read();
      HttpRequest request;
      try {
        // server.id() is host:port with an IPv6 literal bracketed, as a URI authority needs.
        URI uri = new URI("http://" + server.id() + path);
        request =
            HttpRequest.newBuilder(uri)
                .GET()
                .timeout(timeout.compareTo(MAX_REQUEST_TIMEOUT) < 0 ? timeout : MAX_REQUEST_TIMEOUT)
                .header("User-Agent", "lbkit-health")
                .build();
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
        response = exchange.get(Math.max(0, left(start, budget)), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        exchange.cancel(true); // aborts the exchange and closes its connection
        return ProbeResult.failed(
            new HttpTimeoutException(
                "GET " + request.uri() + " took over the timeout of " + timeout));
      } catch (InterruptedException e) {
        exchange.cancel(true);
        return interrupted(e);
      } catch (ExecutionException e) {
        return ProbeResult.failed(Objects.requireNonNullElse(e.getCause(), e));
      }
      return judge(response);
    }

    private ProbeResult judge(HttpResponse<String> response) {
      int status = response.statusCode();
      if (status < 200 || status > 299) {
        return ProbeResult.failed("HTTP " + status);
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
      StringBuilder s = new StringBuilder("Probe.http(").append(path);
      if (body != ANY_BODY) {
        s.append(", body predicate");
      }
      if (load != null) {
        s.append(", load");
      }
      return s.append(')').toString();
    }
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
