package dev.lbkit.services.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.NoServerAvailableException;
import dev.lbkit.core.Server;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder between a real client, a real front server and a real backend, all on loopback.
 * Assertions are on counts and bytes, never on time.
 */
class HttpForwarderTest {

  private final List<AccessRecord> log = Collections.synchronizedList(new ArrayList<>());
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void closeAll() throws Exception {
    release.countDown();
    Collections.reverse(resources);
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(resource);
    return resource;
  }

  private HttpForwarder forwarder(int maxConnections, Duration responseTimeout) {
    return keep(
        HttpForwarder.builder()
            .name("test-forwarder")
            .maxConnectionsPerBackend(maxConnections)
            .responseTimeout(responseTimeout)
            .accessLog(log::add)
            .build());
  }

  /** A front server that forwards every request to the balancer's pick, under a lease. */
  private TestServer front(HttpForwarder forwarder, LoadBalancer lb) throws Exception {
    return keep(
        new TestServer(
            "front",
            new Handler.Abstract() {
              @Override
              public boolean handle(Request request, Response response, Callback callback) {
                dev.lbkit.core.Request lbRequest =
                    dev.lbkit.core.Request.builder()
                        .method(request.getMethod())
                        .path(request.getHttpURI().getPath())
                        .build();
                try {
                  forwarder.forward(request, response, callback, lb.acquire(lbRequest));
                } catch (NoServerAvailableException e) {
                  HttpForwarder.respondError(response, callback, e);
                }
                return true;
              }
            }));
  }

  private static Server backendOf(TestServer server) {
    return new Server("127.0.0.1", server.port());
  }

  // ---------------------------------------------------------------- pooling and the access log

  @Test
  void aThousandRequestsOverTenKeepAliveConnectionsReuseThemAndAreEachLoggedOnce()
      throws Exception {
    TestServer backend =
        keep(
            new TestServer(
                "backend",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback) {
                    response.getHeaders().put("Content-Type", "text/plain");
                    Content.Sink.write(
                        response, true, "hello " + request.getHttpURI().getPath(), callback);
                    return true;
                  }
                }));
    LoadBalancer lb = new LoadBalancer(List.of(backendOf(backend)));
    TestServer front = front(forwarder(10, Duration.ofSeconds(30)), lb);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ExecutorService threads = Executors.newFixedThreadPool(10);
    try {
      List<Future<Integer>> replies = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        String path = "/r/" + i;
        replies.add(
            threads.submit(
                () -> {
                  HttpResponse<String> reply =
                      client.send(
                          HttpRequest.newBuilder(front.uri(path + "?token=secret-123")).build(),
                          HttpResponse.BodyHandlers.ofString());
                  assertThat(reply.body()).isEqualTo("hello " + path);
                  return reply.statusCode();
                }));
      }
      for (Future<Integer> reply : replies) {
        assertThat(reply.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(backend.accepted()).isBetween(1L, 10L);
    assertThat(log).hasSize(1000);
    Set<String> paths = new HashSet<>();
    synchronized (log) {
      for (AccessRecord record : log) {
        assertThat(record.method()).isEqualTo("GET");
        assertThat(record.backend()).isEqualTo("127.0.0.1:" + backend.port());
        assertThat(record.status()).isEqualTo(200);
        assertThat(record.error()).isNull();
        assertThat(record.toLine()).doesNotContain("secret", "token");
        paths.add(record.path());
      }
    }
    assertThat(paths).hasSize(1000);
    assertThat(lb.stats().requestsPerServer()).containsEntry(backendOf(backend).id(), 1000L);
    assertThat(backendOf(backend).activeConnections()).isZero();
  }

  // ---------------------------------------------------------------- streaming

  private static final int CHUNK = 64 * 1024;
  private static final long HUNDRED_MB = 100L * 1024 * 1024;

  private static byte patternAt(long offset) {
    return (byte) (offset * 31 + (offset >>> 13));
  }

  @Test
  void aHundredMegabyteAnswerStreamsThroughWithBoundedMemory() throws Exception {
    TestServer backend =
        keep(
            new TestServer(
                "backend",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback)
                      throws Exception {
                    response.getHeaders().put("Content-Type", "application/octet-stream");
                    try (OutputStream body = Content.Sink.asOutputStream(response)) {
                      byte[] chunk = new byte[CHUNK];
                      for (long offset = 0; offset < HUNDRED_MB; offset += CHUNK) {
                        for (int i = 0; i < CHUNK; i++) {
                          chunk[i] = patternAt(offset + i);
                        }
                        body.write(chunk);
                      }
                    }
                    callback.succeeded();
                    return true;
                  }
                }));
    HttpForwarder forwarder = forwarder(4, Duration.ofSeconds(30));
    TestServer front = front(forwarder, new LoadBalancer(List.of(backendOf(backend))));

    HttpResponse<InputStream> reply =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(front.uri("/output")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(reply.statusCode()).isEqualTo(200);
    long received = 0;
    long mismatches = 0;
    try (InputStream body = reply.body()) {
      byte[] buffer = new byte[8192];
      for (int n; (n = body.read(buffer)) >= 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] != patternAt(received + i)) {
            mismatches++;
          }
        }
        received += n;
      }
    }

    assertThat(received).isEqualTo(HUNDRED_MB);
    assertThat(mismatches).isZero();
    // the forwarder held at most a couple of network buffers of the body at any moment
    assertThat(forwarder.maxBytesInFlight()).isPositive().isLessThanOrEqualTo(256 * 1024);
    assertThat(forwarder.bytesInFlight()).isZero();
    assertThat(log)
        .singleElement()
        .satisfies(r -> assertThat(r.responseBytes()).isEqualTo(HUNDRED_MB));
  }

  @Test
  void aLargeUploadStreamsToTheBackend() throws Exception {
    TestServer backend =
        keep(
            new TestServer(
                "backend",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback)
                      throws Exception {
                    long count = 0;
                    try (InputStream body = Content.Source.asInputStream(request)) {
                      byte[] buffer = new byte[8192];
                      for (int n; (n = body.read(buffer)) >= 0; ) {
                        count += n;
                      }
                    }
                    Content.Sink.write(response, true, Long.toString(count), callback);
                    return true;
                  }
                }));
    TestServer front =
        front(forwarder(4, Duration.ofSeconds(30)), new LoadBalancer(List.of(backendOf(backend))));
    int size = 8 * 1024 * 1024;

    HttpResponse<String> reply =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(front.uri("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo(Integer.toString(size));
  }

  // ---------------------------------------------------------------- hop-by-hop headers

  @Test
  void hopByHopHeadersAreDroppedBothWays() throws Exception {
    Map<String, String> seen = Collections.synchronizedMap(new LinkedHashMap<>());
    TestServer backend =
        keep(
            new TestServer(
                "backend",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback) {
                    for (HttpField field : request.getHeaders()) {
                      seen.put(field.getName().toLowerCase(Locale.ROOT), field.getValue());
                    }
                    response.getHeaders().put("Connection", "X-Drop-Me");
                    response.getHeaders().put("X-Drop-Me", "1");
                    response.getHeaders().put("Keep-Alive", "timeout=5");
                    response.getHeaders().put("Proxy-Authenticate", "Basic");
                    response.getHeaders().put("Upgrade", "h2c");
                    response.getHeaders().put("X-End-To-End", "kept");
                    Content.Sink.write(response, true, "ok", callback);
                    return true;
                  }
                }));
    TestServer front =
        front(forwarder(4, Duration.ofSeconds(30)), new LoadBalancer(List.of(backendOf(backend))));

    List<String> responseHeaders = new ArrayList<>();
    try (Socket socket = new Socket("127.0.0.1", front.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /hop HTTP/1.1\r\n"
                  + "Host: front\r\n"
                  + "Connection: keep-alive, X-Private\r\n"
                  + "X-Private: secret\r\n"
                  + "Keep-Alive: timeout=9\r\n"
                  + "TE: trailers\r\n"
                  + "Proxy-Authorization: Basic c2VjcmV0\r\n"
                  + "X-Forwarded-For: 10.0.0.9\r\n"
                  + "X-End-To-End: yes\r\n"
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      for (String line; !(line = in.readLine()).isEmpty(); ) {
        responseHeaders.add(line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT));
      }
    }

    assertThat(seen)
        .doesNotContainKeys("x-private", "keep-alive", "te", "proxy-authorization")
        .containsEntry("x-end-to-end", "yes")
        .containsEntry("x-forwarded-for", "10.0.0.9, 127.0.0.1")
        .containsEntry("via", "1.1 lbkit");
    assertThat(seen.get("connection")).isNull();
    assertThat(responseHeaders)
        .contains("x-end-to-end")
        .doesNotContain("x-drop-me", "keep-alive", "proxy-authenticate", "upgrade");
  }

  // ---------------------------------------------------------------- failures

  @Test
  void failuresAnswer502Or504AndFailTheLease() throws Exception {
    TestServer hanging =
        keep(
            new TestServer(
                "hanging",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback)
                      throws Exception {
                    release.await(); // until the test ends
                    callback.succeeded();
                    return true;
                  }
                }));
    TestServer gone =
        new TestServer(
            "gone",
            new Handler.Abstract() {
              @Override
              public boolean handle(Request request, Response response, Callback callback) {
                return false;
              }
            });
    int gonePort = gone.port();
    gone.close();
    Server hangingBackend = backendOf(hanging);
    Server goneBackend = new Server("127.0.0.1", gonePort);
    HttpForwarder forwarder = forwarder(4, Duration.ofMillis(300));
    LoadBalancer slow = new LoadBalancer(List.of(hangingBackend));
    LoadBalancer refused = new LoadBalancer(List.of(goneBackend));
    LoadBalancer none = new LoadBalancer(List.of());
    TestServer toSlow = front(forwarder, slow);
    TestServer toRefused = front(forwarder, refused);
    TestServer toNone = front(forwarder, none);
    HttpClient client = HttpClient.newHttpClient();

    HttpResponse<String> timedOut =
        client.send(
            HttpRequest.newBuilder(toSlow.uri("/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> refusedReply =
        client.send(
            HttpRequest.newBuilder(toRefused.uri("/x")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> noneReply =
        client.send(
            HttpRequest.newBuilder(toNone.uri("/x")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(timedOut.statusCode()).isEqualTo(504);
    assertThat(timedOut.body())
        .startsWith("{\"error\":\"" + hangingBackend.id() + ": TimeoutException: no answer from");
    assertThat(refusedReply.statusCode()).isEqualTo(502);
    assertThat(refusedReply.body())
        .isEqualTo("{\"error\":\"" + goneBackend.id() + ": connection refused\"}");
    assertThat(noneReply.statusCode()).isEqualTo(503);
    assertThat(slow.stats().totalErrors()).isEqualTo(1);
    assertThat(refused.stats().totalErrors()).isEqualTo(1);
    assertThat(log)
        .extracting(AccessRecord::status)
        .containsExactlyInAnyOrder(504, 502); // lbkit's refusal never reached the forwarder
    assertThat(hangingBackend.activeConnections()).isZero();
  }

  @Test
  void sendBuffersSmallAnswersAndLogsThem() throws Exception {
    TestServer backend =
        keep(
            new TestServer(
                "backend",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback)
                      throws Exception {
                    String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                    response.setStatus(request.getHttpURI().getPath().equals("/boom") ? 500 : 201);
                    Content.Sink.write(response, true, request.getMethod() + " " + body, callback);
                    return true;
                  }
                }));
    HttpForwarder forwarder = forwarder(2, Duration.ofSeconds(30));
    Server server = backendOf(backend);
    LoadBalancer lb = new LoadBalancer(List.of(server));

    Reply created = forwarder.send(server, Call.postJson("/jobs?key=secret", "{\"a\":1}")).get();
    Reply boom =
        forwarder
            .send(lb.acquire(dev.lbkit.core.Request.builder().build()), Call.get("/boom"))
            .get();

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.bodyAsString()).isEqualTo("POST {\"a\":1}");
    assertThat(boom.status()).isEqualTo(500);
    assertThat(lb.stats().totalErrors()).isEqualTo(1); // the 500 failed the lease
    assertThat(log.stream().map(AccessRecord::toLine).collect(Collectors.toList()))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line).doesNotContain("secret"));
    assertThat(server.activeConnections()).isZero();
  }

  @Test
  void theBuilderAndCallsRejectBadInputNamingIt() {
    assertThatThrownBy(() -> HttpForwarder.builder().maxConnectionsPerBackend(0))
        .hasMessage("maxConnectionsPerBackend: 0 (expected: >= 1)");
    assertThatThrownBy(() -> HttpForwarder.builder().responseTimeout(Duration.ZERO))
        .hasMessage("responseTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> Call.get("jobs")).hasMessage("target: jobs (expected: starts with /)");
    assertThatThrownBy(() -> Call.get("/x").timeout(Duration.ofSeconds(-1)))
        .hasMessage("timeout: PT-1S (expected: > 0)");
  }

  @Test
  void hopByHopRulesFollowRfc9110() {
    org.eclipse.jetty.http.HttpFields from =
        org.eclipse.jetty.http.HttpFields.build()
            .add("Connection", "close, X-A")
            .add("Connection", "x-b")
            .add("X-A", "1")
            .add("X-B", "2")
            .add("Proxy-Connection", "keep-alive")
            .add("Trailer", "Expires")
            .add("Transfer-Encoding", "chunked")
            .add("Set-Cookie", "a=1")
            .add("Set-Cookie", "b=2");
    org.eclipse.jetty.http.HttpFields.Mutable to =
        org.eclipse.jetty.http.HttpFields.build().add("Set-Cookie", "stale=1");
    HopByHop.copy(from, to, Set.of());
    assertThat(to.getValuesList("Set-Cookie")).containsExactly("a=1", "b=2");
    assertThat(to.size()).isEqualTo(2);
  }
}
