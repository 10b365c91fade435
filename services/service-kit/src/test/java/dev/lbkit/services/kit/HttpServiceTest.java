package dev.lbkit.services.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.testing.TestHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServiceTest {
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private final List<String> observed = new CopyOnWriteArrayList<>();
  private final List<Long> observedNanos = new CopyOnWriteArrayList<>();
  private static final long TICK_NANOS = 7_000_000;
  private final AtomicLong ticks = new AtomicLong();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpService service;
  private TestHttp http;

  /** The body of POST /echo. */
  public record Echo(String name, int count) {}

  @BeforeEach
  void start() throws Exception {
    Routes routes =
        Routes.builder()
            .get("/items/{id}", ex -> Reply.json(200, Map.of("id", ex.pathParam("id"))))
            .get("/items/special", ex -> Reply.json(200, Map.of("special", true)))
            .post(
                "/echo",
                ex -> {
                  Echo echo = ex.jsonBody(Echo.class);
                  if (echo == null) {
                    throw HttpError.badRequest("body: none (expected: an Echo)");
                  }
                  return Reply.json(201, echo);
                })
            .get(
                "/slow",
                ex -> {
                  entered.countDown();
                  release.await(30, TimeUnit.SECONDS);
                  return Reply.json(200, Map.of("slow", "done"));
                })
            .stream(
                "GET",
                "/stream/{n}",
                (ex, request, response, callback) -> {
                  if (ex.pathParam("n").equals("0")) {
                    throw HttpError.notFound("nothing to stream");
                  }
                  response.setStatus(202);
                  org.eclipse.jetty.io.Content.Sink.write(
                      response, true, "streamed " + ex.pathParam("n"), callback);
                })
            .get(
                "/boom",
                ex -> {
                  throw new IllegalStateException("secret detail");
                })
            .build();
    service =
        HttpService.builder("kit-test", routes)
            .port(0)
            .host("127.0.0.1")
            .maxBodyBytes(64 * 1024)
            .log(JsonLog.to("kit-test", logLines::add))
            .observer(
                (m, r, s, n) -> {
                  observed.add(m + " " + r + " " + s);
                  observedNanos.add(n);
                })
            .ticker(() -> ticks.addAndGet(TICK_NANOS))
            .build()
            .start();
    http = TestHttp.of(service.port());
  }

  @Test
  void latenciesComeFromTheGivenTicker() {
    assertThat(http.get("/items/1").status()).isEqualTo(200);
    assertThat(http.get("/items/special").status()).isEqualTo(200);
    // Each request reads the ticker twice: when it starts, and before its answer is written.
    assertThat(observedNanos).containsExactly(TICK_NANOS, TICK_NANOS);
  }

  @Test
  void aStreamingRouteWritesItsOwnResponseAndIsLoggedOnce() {
    TestHttp.Reply streamed = http.get("/stream/7");
    assertThat(streamed.status()).isEqualTo(202);
    assertThat(streamed.body()).isEqualTo("streamed 7");
    assertThat(streamed.header("X-Request-ID")).isNotBlank();
    TestHttp.Reply refused = http.get("/stream/0");
    assertThat(refused.status()).isEqualTo(404);
    assertThat(refused.json().get("message").asText()).isEqualTo("nothing to stream");
    assertThat(observed).contains("GET /stream/{n} 202", "GET /stream/{n} 404");
    assertThat(logLines.stream().filter(l -> l.contains("\"route\":\"/stream/{n}\""))).hasSize(2);
  }

  @AfterEach
  void stop() {
    release.countDown();
    service.close();
    http.close();
  }

  @Test
  void routesWithParametersAndLiteralsFirst() {
    assertThat(http.get("/items/42").json().get("id").asText()).isEqualTo("42");
    assertThat(http.get("/items/special").json().get("special").asBoolean()).isTrue();
    assertThat(observed).contains("GET /items/{id} 200", "GET /items/special 200");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405WithAllow() {
    TestHttp.Reply missing = http.get("/nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("error").asText()).isEqualTo("not_found");
    TestHttp.Reply wrong = http.post("/items/1");
    assertThat(wrong.status()).isEqualTo(405);
    assertThat(wrong.header("Allow")).isEqualTo("GET");
    assertThat(wrong.json().get("message").asText()).isNotEmpty();
  }

  @Test
  void jsonBodiesMalformedAndOfTheWrongTypeAre400And415() {
    TestHttp.Reply ok = http.postJson("/echo", Map.of("name", "a", "count", 2));
    assertThat(ok.status()).isEqualTo(201);
    assertThat(ok.json().get("count").asInt()).isEqualTo(2);
    TestHttp.Reply malformed = http.postJson("/echo", "{\"name\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("error").asText()).isEqualTo("bad_request");
    TestHttp.Reply text =
        http.send(
            http.builder("/echo", "Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.json().get("error").asText()).isEqualTo("unsupported_media_type");
  }

  @Test
  void aTenMegabyteBodyGetsA413TheClientReceives() {
    byte[] big = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) 'a');
    TestHttp.Reply declared =
        http.send(
            http.builder("/echo", "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.json().get("error").asText()).isEqualTo("payload_too_large");
    TestHttp.Reply chunked =
        http.send(
            http.builder("/echo", "Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
    assertThat(chunked.status()).isEqualTo(413);
    // and the server is still fine
    assertThat(http.get("/items/1").status()).isEqualTo(200);
  }

  @Test
  void securityHeadersAndRequestIdsOnEveryResponse() {
    TestHttp.Reply reply = http.get("/nope", "X-Request-ID", "abc-123");
    assertThat(reply.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(reply.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
    assertThat(reply.header("X-Request-ID")).isEqualTo("abc-123");
    assertThat(reply.header("Access-Control-Allow-Origin")).isNull();
    assertThat(http.get("/items/1", "X-Request-ID", "bad id!").header("X-Request-ID"))
        .matches("[0-9a-f]{32}");
  }

  @Test
  void anEndpointFailureIsA500NamingTheRequestIdAndLogged() {
    TestHttp.Reply reply = http.get("/boom", "X-Request-ID", "req-7");
    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.body()).doesNotContain("secret detail").contains("req-7");
    assertThat(logLines).anyMatch(l -> l.contains("\"level\":\"error\"") && l.contains("req-7"));
  }

  @Test
  void oneAccessLineAPerRequestWithoutHeadersOrBodies() {
    http.postJson(
        "/echo", Map.of("name", "body-text", "count", 1), "Authorization", "Bearer s3cr3t");
    List<JsonNode> access =
        logLines.stream()
            .map(Json::parse)
            .filter(j -> j.get("action").asText().equals("access"))
            .collect(Collectors.toList());
    assertThat(access).hasSize(1);
    JsonNode line = access.get(0);
    assertThat(line.get("route").asText()).isEqualTo("/echo");
    assertThat(line.get("status").asInt()).isEqualTo(201);
    assertThat(line.has("request_id")).isTrue();
    assertThat(line.has("latency_ms")).isTrue();
    assertThat(String.join("\n", logLines)).doesNotContain("s3cr3t").doesNotContain("body-text");
  }

  @Test
  void closeStopsAcceptingFinishesTheRequestInFlightAndLeavesNoThread() throws Exception {
    CompletableFuture<TestHttp.Reply> inFlight =
        CompletableFuture.supplyAsync(() -> http.get("/slow"));
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    int port = service.port(); // before close(): a closing connector no longer knows its port
    CompletableFuture<Void> closing = CompletableFuture.runAsync(service::close);
    awaitRefused(port);
    assertThat(closing).isNotDone(); // still waiting for /slow
    release.countDown();
    assertThat(inFlight.get(30, TimeUnit.SECONDS).json().get("slow").asText()).isEqualTo("done");
    closing.get(30, TimeUnit.SECONDS);
    Set<String> left =
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(n -> n.startsWith("kit-test"))
            .collect(Collectors.toSet());
    assertThat(left).isEmpty();
    assertThat(logLines).anyMatch(l -> l.contains("\"action\":\"stopped\""));
  }

  /** Waits (bounded) until a connection to {@code port} is refused. */
  private static void awaitRefused(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      } catch (ConnectException refused) {
        return;
      } catch (IOException other) {
        // try again
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("port " + port + " still accepts after close()");
  }

  @Test
  void startTwiceIsRefused() {
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
  }
}
