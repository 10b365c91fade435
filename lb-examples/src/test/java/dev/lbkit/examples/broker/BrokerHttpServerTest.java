package dev.lbkit.examples.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.Server;
import dev.lbkit.examples.http.FakeClock;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker over real loopback HTTP: every credential case, idempotent retries, the admin's
 * routes, {@code /metrics}, {@code /healthz} and {@code /readyz}. After every test, no token may
 * appear in anything the broker said: log lines (captured at every level), response bodies and
 * headers, and the metrics.
 */
class BrokerHttpServerTest {

  private static final String ADMIN = "admin-6Qh2Vd9LkTz3Wm8Ns4Rb";
  private static final String TRACK_A = "track-a-Xr7Jp2Ce9Gy4Fk1Mv5";
  private static final String TRACK_B = "track-b-Hd3Ln8Qs6Tw1Zb7Ku2";
  private static final String UNKNOWN = "nobody-Pz4Ye8Rc2Vn6Jm9Aq3";
  private static final List<String> SECRETS = List.of(ADMIN, TRACK_A, TRACK_B, UNKNOWN);

  private static final List<String> SECRETS_OF_THIS_TEST = new ArrayList<>();
  private static HttpClient client;
  private static Logger brokerLogs; // held: JUL keeps loggers weakly
  private static final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
  private static final Handler capture =
      new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
          logLines.add(formatter.format(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private final List<String> said = Collections.synchronizedList(new ArrayList<>());
  private List<Server> pool;
  private SandboxBroker broker;
  private BrokerHttpServer server;

  @BeforeAll
  static void startClientAndCaptureLogs() {
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            // Loose: a thousand connections at once can overflow the listen queue while the
            // server's one dispatcher thread is starved, and a dropped SYN is retried after 1 s, 3
            // s
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    brokerLogs = Logger.getLogger("dev.lbkit.examples.broker");
    brokerLogs.setLevel(Level.ALL);
    brokerLogs.setUseParentHandlers(false); // captured, not printed
    capture.setLevel(Level.ALL);
    brokerLogs.addHandler(capture);
  }

  @AfterAll
  static void stopCapturingLogs() {
    brokerLogs.removeHandler(capture);
    brokerLogs.setLevel(null);
    brokerLogs.setUseParentHandlers(true);
  }

  @BeforeEach
  void start() throws IOException {
    logLines.clear();
    pool = SandboxBrokerTest.sandboxes(5);
    FakeClock time = new FakeClock();
    broker = SandboxBroker.builder(pool).ticker(time).scheduler(time).build();
    BrokerAuth auth =
        BrokerAuth.builder()
            .adminToken(ADMIN)
            .trackToken("track-a", TRACK_A)
            .trackToken("track-b", TRACK_B)
            .build();
    server = BrokerHttpServer.start(broker, auth);
  }

  @AfterEach
  void noSecretWasSaidAnywhere() throws Exception {
    said.add(get("/metrics", null).body());
    server.close();
    broker.close();
    assertThat(logLines).as("the broker logged").isNotEmpty();
    List<String> everything = new ArrayList<>(said);
    everything.addAll(logLines);
    List<String> secrets = new ArrayList<>(SECRETS);
    secrets.addAll(SECRETS_OF_THIS_TEST);
    SECRETS_OF_THIS_TEST.clear();
    for (String secret : secrets) {
      assertThat(everything).noneMatch(text -> text.contains(secret));
    }
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private HttpResponse<String> send(String method, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    said.add(response.body());
    said.add(response.headers().map().toString());
    return response;
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return token == null
        ? send("GET", path)
        : send("GET", path, "Authorization", "Bearer " + token);
  }

  private HttpResponse<String> post(String path, String token, String... headers) throws Exception {
    List<String> all = new ArrayList<>(List.of(headers));
    if (token != null) {
      all.addAll(List.of("Authorization", "Bearer " + token));
    }
    return send("POST", path, all.toArray(String[]::new));
  }

  private HttpResponse<String> allocate(String token, String key) throws Exception {
    return post("/v1/allocate", token, "Idempotency-Key", key);
  }

  private static String field(HttpResponse<String> response, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(\"([^\"]*)\"|[^,}]*)").matcher(response.body());
    assertThat(m.find()).as(name + " in " + response.body()).isTrue();
    return m.group(2) != null ? m.group(2) : m.group(1);
  }

  private static String mark(String sandboxId) {
    return "/v1/sandboxes/" + sandboxId + "/mark-for-deletion";
  }

  // ---------------------------------------------------------------- 401

  @Test
  void missingOrWrongCredentialsGet401OnEveryProtectedRoute() throws Exception {
    String id = pool.get(0).id();
    List<String[]> routes =
        List.of(
            new String[] {"POST", "/v1/allocate"},
            new String[] {"GET", "/v1/sandboxes/" + id},
            new String[] {"POST", mark(id)},
            new String[] {"GET", "/v1/admin/sandboxes"});
    List<String> authorizations =
        List.of(
            "Bearer " + UNKNOWN,
            "Bearer " + ADMIN + "x", // a valid token with more after it
            "Bearer " + ADMIN.substring(0, ADMIN.length() - 1), // a valid token cut short
            "Basic " + ADMIN, // the right secret, the wrong scheme
            "Bearer",
            "Bearer ",
            ADMIN);
    for (String[] route : routes) {
      HttpResponse<String> none = send(route[0], route[1], "Idempotency-Key", "k");
      assertThat(none.statusCode()).as(route[1] + " without credentials").isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"sandbox-broker\"");
      assertThat(field(none, "message")).isEqualTo("missing bearer token");
      for (String authorization : authorizations) {
        HttpResponse<String> wrong =
            send(route[0], route[1], "Authorization", authorization, "Idempotency-Key", "k");
        assertThat(wrong.statusCode()).as(route[1]).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate"))
            .hasValue("Bearer realm=\"sandbox-broker\", error=\"invalid_token\"");
        assertThat(field(wrong, "error")).isEqualTo("unauthorized");
      }
    }
    assertThat(broker.allocated()).isZero();
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);
  }

  @Test
  void theBearerSchemeIsCaseInsensitive() throws Exception {
    HttpResponse<String> r =
        send("POST", "/v1/allocate", "Authorization", "bearer " + TRACK_A, "Idempotency-Key", "k");
    assertThat(r.statusCode()).isEqualTo(201);
  }

  // ---------------------------------------------------------------- tracks

  @Test
  void aTrackAllocatesAndARetryWithTheSameKeyGetsTheSameSandbox() throws Exception {
    HttpResponse<String> first = allocate(TRACK_A, "lab-1");
    HttpResponse<String> retry = allocate(TRACK_A, "lab-1");

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(field(retry, "sandbox_id")).isEqualTo(field(first, "sandbox_id"));
    assertThat(field(first, "track_id")).isEqualTo("track-a");
    assertThat(field(first, "replayed")).isEqualTo("false");
    assertThat(field(retry, "replayed")).isEqualTo("true");
    assertThat(field(first, "expires_in_seconds")).isEqualTo("16200"); // 4.5 h
    assertThat(broker.allocated()).isEqualTo(1);

    HttpResponse<String> read = get("/v1/sandboxes/" + field(first, "sandbox_id"), TRACK_A);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(field(read, "status")).isEqualTo("allocated");
    assertThat(field(read, "track_id")).isEqualTo("track-a");
  }

  @Test
  void concurrentRetriesOverHttpGetOneSandbox() throws Exception {
    List<HttpResponse<String>> responses =
        Concurrently.run(
            24,
            i -> {
              try {
                return allocate(TRACK_A, "lab-7");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(responses.stream().map(BrokerHttpServerTest::sandboxId).distinct()).hasSize(1);
    assertThat(responses.stream().map(HttpResponse::statusCode).collect(Collectors.toList()))
        .containsOnly(200, 201)
        .containsOnlyOnce(201);
    assertThat(broker.allocated()).isEqualTo(1);
  }

  @Test
  void aThousandConcurrentAllocationsOverHttpHandOutAThousandSandboxesOnce() throws Exception {
    // A pool of its own: 1,000 sandboxes, 10 tracks with 100 allocations each, all sent at once.
    server.close();
    broker.close();
    pool = SandboxBrokerTest.sandboxes(1_000);
    FakeClock time = new FakeClock();
    broker = SandboxBroker.builder(pool).ticker(time).scheduler(time).build();
    BrokerAuth.Builder tokens = BrokerAuth.builder().adminToken(ADMIN);
    List<String> trackTokens = new ArrayList<>();
    for (int t = 0; t < 10; t++) {
      trackTokens.add(TRACK_A.substring(0, 20) + "-t" + t);
      tokens.trackToken("track-" + t, trackTokens.get(t));
    }
    server = BrokerHttpServer.start(broker, tokens.build());
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      HttpRequest request =
          HttpRequest.newBuilder(server.uri().resolve("/v1/allocate"))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Bearer " + trackTokens.get(i % 10))
              .header("Idempotency-Key", "lab-" + i)
              .POST(HttpRequest.BodyPublishers.noBody())
              .build();
      inFlight.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    Map<String, String> trackBySandbox = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      HttpResponse<String> response = inFlight.get(i).get(60, TimeUnit.SECONDS); // hang guard
      assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
      String previous = trackBySandbox.put(sandboxId(response), field(response, "track_id"));
      assertThat(previous).as("handed out twice: " + sandboxId(response)).isNull();
      assertThat(field(response, "track_id")).isEqualTo("track-" + i % 10);
    }
    assertThat(trackBySandbox.keySet())
        .isEqualTo(pool.stream().map(Server::id).collect(Collectors.toSet()));
    assertThat(broker.allocated()).isEqualTo(1_000);
    assertThat(allocate(trackTokens.get(0), "one-more").statusCode()).isEqualTo(503);
    SECRETS_OF_THIS_TEST.addAll(trackTokens);
  }

  private static String sandboxId(HttpResponse<String> response) {
    return field(response, "sandbox_id");
  }

  @Test
  void aTrackReleasesItsOwnSandbox() throws Exception {
    String id = sandboxId(allocate(TRACK_A, "k"));

    HttpResponse<String> released = post(mark(id), TRACK_A);
    assertThat(released.statusCode()).isEqualTo(200);
    assertThat(field(released, "status")).isEqualTo("released");
    assertThat(broker.sandbox(id).orElseThrow().allocated()).isFalse();

    assertThat(post(mark(id), TRACK_A).statusCode()).as("released already").isEqualTo(404);
    assertThat(post(mark("sbx-9999:443"), TRACK_A).statusCode()).isEqualTo(404);
    assertThat(get("/v1/sandboxes/" + id, TRACK_A).statusCode())
        .as("a free sandbox is not the track's to read")
        .isEqualTo(404);
  }

  @Test
  void aTrackTouchingAnotherTracksSandboxGets403() throws Exception {
    String id = sandboxId(allocate(TRACK_A, "k"));

    HttpResponse<String> release = post(mark(id), TRACK_B);
    HttpResponse<String> read = get("/v1/sandboxes/" + id, TRACK_B);

    assertThat(release.statusCode()).isEqualTo(403);
    assertThat(field(release, "error")).isEqualTo("forbidden");
    assertThat(read.statusCode()).isEqualTo(403);
    assertThat(broker.sandbox(id).orElseThrow().trackId())
        .as("still track-a's")
        .isEqualTo("track-a");
  }

  @Test
  void aTrackHeaderNamingAnotherTrackGets403() throws Exception {
    HttpResponse<String> spoofed =
        post("/v1/allocate", TRACK_B, "Idempotency-Key", "k", "X-Track-ID", "track-a");
    HttpResponse<String> matching =
        post("/v1/allocate", TRACK_B, "Idempotency-Key", "k", "X-Track-ID", "track-b");

    assertThat(spoofed.statusCode()).isEqualTo(403);
    assertThat(matching.statusCode()).isEqualTo(201);
    assertThat(field(matching, "track_id")).isEqualTo("track-b");
  }

  @Test
  void allocateNeedsAValidIdempotencyKey() throws Exception {
    HttpResponse<String> none = post("/v1/allocate", TRACK_A);
    HttpResponse<String> bad = allocate(TRACK_A, "x".repeat(129));

    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(field(none, "message")).isEqualTo("Idempotency-Key header is required");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(field(bad, "message")).startsWith("Idempotency-Key: idempotencyKey: '");
    assertThat(broker.allocated()).isZero();
  }

  @Test
  void aFullPoolAnswers503() throws Exception {
    for (int i = 0; i < pool.size(); i++) {
      assertThat(allocate(TRACK_A, "k" + i).statusCode()).isEqualTo(201);
    }
    HttpResponse<String> full = allocate(TRACK_B, "k");
    assertThat(full.statusCode()).isEqualTo(503);
    assertThat(field(full, "error")).isEqualTo("no_sandboxes");
  }

  // ---------------------------------------------------------------- admin

  @Test
  void onlyTheAdminListsAndReleasesAnySandbox() throws Exception {
    String a = sandboxId(allocate(TRACK_A, "k"));
    String b = sandboxId(allocate(TRACK_B, "k"));

    assertThat(get("/v1/admin/sandboxes", TRACK_A).statusCode()).isEqualTo(403);
    HttpResponse<String> all = get("/v1/admin/sandboxes", ADMIN);
    HttpResponse<String> allocated = get("/v1/admin/sandboxes?status=allocated", ADMIN);
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(field(all, "count")).isEqualTo("5");
    assertThat(field(allocated, "count")).isEqualTo("2");
    assertThat(allocated.body())
        .contains(
            "{\"sandbox_id\":\""
                + a
                + "\",\"status\":\"allocated\",\"healthy\":true,"
                + "\"track_id\":\"track-a\",\"held_for_seconds\":0}");
    assertThat(get("/v1/admin/sandboxes?status=gone", ADMIN).statusCode()).isEqualTo(400);

    assertThat(get("/v1/sandboxes/" + b, ADMIN).statusCode()).isEqualTo(200);
    assertThat(post(mark(a), ADMIN).statusCode()).isEqualTo(200);
    assertThat(post(mark(b), ADMIN).statusCode()).isEqualTo(200);
    assertThat(broker.allocated()).isZero();
    assertThat(allocate(ADMIN, "k").statusCode()).as("the admin has no track").isEqualTo(403);
  }

  // ---------------------------------------------------------------- probes and metrics

  @Test
  void healthzIsLivenessAndReadyzNeedsAHealthySandbox() throws Exception {
    assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/readyz", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(field(ready, "status")).isEqualTo("ready");

    pool.forEach(s -> s.setHealthy(false));
    HttpResponse<String> notReady = get("/readyz", null);
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(field(notReady, "status")).isEqualTo("not_ready");
    assertThat(field(notReady, "healthy_sandboxes")).isEqualTo("0");
    assertThat(get("/healthz", null).statusCode()).as("alive all the same").isEqualTo(200);

    pool.get(3).setHealthy(true);
    assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
  }

  @Test
  void metricsShowCountersByOutcomeThePoolGaugesAndTheLatencyHistogram() throws Exception {
    String first = sandboxId(allocate(TRACK_A, "k0"));
    allocate(TRACK_A, "k0"); // a replay
    for (int i = 1; i < pool.size(); i++) {
      allocate(TRACK_B, "k" + i);
    }
    allocate(TRACK_B, "one-too-many");
    post(mark(first), TRACK_A);
    get("/v1/admin/sandboxes", UNKNOWN);
    pool.get(0).setHealthy(false);

    HttpResponse<String> scrape = get("/metrics", null);

    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    String text = scrape.body();
    assertThat(text).contains("# TYPE broker_allocate_total counter");
    assertThat(text).contains("# TYPE broker_allocation_latency_seconds histogram");
    assertThat(value(text, "broker_allocate_total", "outcome", "success")).isEqualTo(5);
    assertThat(value(text, "broker_allocate_total", "outcome", "idempotent")).isEqualTo(1);
    assertThat(value(text, "broker_allocate_total", "outcome", "no_sandboxes")).isEqualTo(1);
    assertThat(value(text, "broker_deletion_marked_total")).isEqualTo(1);
    assertThat(value(text, "broker_expiry_marked_total")).isEqualTo(0);
    assertThat(value(text, "broker_pool_size")).isEqualTo(5);
    assertThat(value(text, "broker_pool_allocated")).isEqualTo(4);
    assertThat(value(text, "broker_pool_unhealthy")).isEqualTo(1);
    assertThat(value(text, "broker_pool_available"))
        .as("the released sandbox, if healthy")
        .isEqualTo(first.equals(pool.get(0).id()) ? 0 : 1);
    assertThat(value(text, "broker_allocation_latency_seconds_count", "outcome", "success"))
        .isEqualTo(5);
    assertThat(
            value(
                text,
                "broker_allocation_latency_seconds_bucket",
                "outcome",
                "success",
                "le",
                "+Inf"))
        .isEqualTo(5);
    assertThat(
            value(
                text,
                "broker_allocation_latency_seconds_bucket",
                "outcome",
                "success",
                "le",
                "0.01"))
        .as("fake time: every allocation took 0 s")
        .isEqualTo(5);
    assertThat(
            value(
                text,
                "broker_http_requests_total",
                "method",
                "GET",
                "route",
                "/v1/admin/sandboxes",
                "status",
                "401"))
        .isEqualTo(1);
    assertThat(
            value(
                text,
                "broker_http_requests_total",
                "method",
                "POST",
                "route",
                "/v1/sandboxes/{id}/mark-for-deletion",
                "status",
                "200"))
        .isEqualTo(1);
    assertThat(labelValues(text))
        .as("no label carries a track or a sandbox id")
        .noneMatch(v -> v.startsWith("track-") || v.startsWith("sbx-"));
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$", Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  /** Returns the value of the one sample of {@code name} with exactly {@code labels}. */
  private static double value(String exposition, String name, String... labels) {
    Map<String, String> wanted = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    List<Double> found = new ArrayList<>();
    Matcher m = SAMPLE.matcher(exposition);
    while (m.find()) {
      if (m.group(1).equals(name) && labelsOf(m.group(3)).equals(wanted)) {
        found.add(Double.parseDouble(m.group(4)));
      }
    }
    assertThat(found).as(name + wanted + " in\n" + exposition).hasSize(1);
    return found.get(0);
  }

  private static Map<String, String> labelsOf(String labels) {
    Map<String, String> map = new LinkedHashMap<>();
    if (labels != null) {
      Matcher l = LABEL.matcher(labels);
      while (l.find()) {
        map.put(l.group(1), l.group(2));
      }
    }
    return map;
  }

  private static Set<String> labelValues(String exposition) {
    Matcher m = SAMPLE.matcher(exposition);
    Set<String> values = new java.util.HashSet<>();
    while (m.find()) {
      values.addAll(labelsOf(m.group(3)).values());
    }
    return values;
  }

  @Test
  void unknownRoutesGet404AndWrongMethods405() throws Exception {
    assertThat(get("/v1/nothing", ADMIN).statusCode()).isEqualTo(404);
    assertThat(get("/v1/sandboxes/a/b", ADMIN).statusCode()).isEqualTo(404);
    HttpResponse<String> wrongMethod = get("/v1/allocate", TRACK_A);
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
    assertThat(post("/metrics", null).statusCode()).isEqualTo(405);
    assertThat(get("/v1/sandboxes/" + UNKNOWN, ADMIN).statusCode())
        .as("a secret in the path is not echoed back (checked after the test)")
        .isEqualTo(404);
  }

  @Test
  void theHttpServerRefusesBadSettings() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                BrokerHttpServer.start(
                    broker, BrokerAuth.builder().adminToken(ADMIN).build(), 70_000, 4))
        .hasMessage("port: 70000 (expected: 0..65535)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                BrokerHttpServer.start(
                    broker, BrokerAuth.builder().adminToken(ADMIN).build(), 0, 0))
        .hasMessage("threads: 0 (expected: >= 1)");
  }
}
