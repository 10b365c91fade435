package dev.lbkit.services.broker;

import static dev.lbkit.services.broker.Brokers.ADMIN;
import static dev.lbkit.services.broker.Brokers.ANY_TRACK;
import static dev.lbkit.services.broker.Brokers.TRACK_A;
import static dev.lbkit.services.broker.Brokers.TRACK_B;
import static dev.lbkit.services.kit.testing.TestHttp.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.testing.TestHttp;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerApiTest {
  @TempDir Path dir;
  private final Brokers brokers = new Brokers();
  private Broker broker;
  private TestHttp http;

  @BeforeEach
  void start() throws Exception {
    broker = brokers.start(Brokers.sqlite(dir), Brokers.mock(20), "--track-rate-limit", "5");
    http = TestHttp.of(broker.port());
  }

  @AfterEach
  void stop() {
    broker.close();
    http.close();
  }

  private TestHttp.Reply allocate(String token, String track, String... more) {
    String[] headers = bearer(token, "X-Track-ID", track);
    String[] all = new String[headers.length + more.length];
    System.arraycopy(headers, 0, all, 0, headers.length);
    System.arraycopy(more, 0, all, headers.length, more.length);
    return http.post("/v1/allocate", all);
  }

  @Test
  void allocateIs201ThenTheSameSandboxWith200() {
    TestHttp.Reply first = allocate(TRACK_A, "track-a");
    assertThat(first.status()).isEqualTo(201);
    JsonNode json = first.json();
    assertThat(json.get("status").asText()).isEqualTo("allocated");
    assertThat(json.get("allocated_to_track").asText()).isEqualTo("track-a");
    assertThat(json.get("expires_at").asLong() - json.get("allocated_at").asLong())
        .isEqualTo(16_200);
    TestHttp.Reply again = allocate(TRACK_A, "track-a");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("sandbox_id")).isEqualTo(json.get("sandbox_id"));
    assertThat(again.json().get("idempotent").asBoolean()).isTrue();
  }

  @Test
  void fiftyConcurrentRetriesOfOneTrackGetOneSandbox() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Callable<TestHttp.Reply>> calls =
          IntStream.range(0, 50)
              .mapToObj(
                  i ->
                      (Callable<TestHttp.Reply>)
                          () -> allocate(ANY_TRACK, "same-track", "Idempotency-Key", "k-1"))
              .collect(Collectors.toList());
      Set<String> ids = new HashSet<>();
      for (Future<TestHttp.Reply> f : pool.invokeAll(calls)) {
        TestHttp.Reply reply = f.get();
        assertThat(reply.status()).isIn(200, 201, 429);
        if (reply.status() != 429) {
          ids.add(reply.json().get("sandbox_id").asText());
        }
      }
      assertThat(ids).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void idempotencyKeyReplaysAfterTheSandboxWasGivenBack() {
    String id =
        allocate(TRACK_A, "track-a", "Idempotency-Key", "lab-1").json().get("sandbox_id").asText();
    assertThat(
            http.post(
                    "/v1/sandboxes/" + id + "/mark-for-deletion",
                    bearer(TRACK_A, "X-Track-ID", "track-a"))
                .json()
                .get("status")
                .asText())
        .isEqualTo("pending_deletion");
    TestHttp.Reply retry = allocate(TRACK_A, "track-a", "Idempotency-Key", "lab-1");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().get("sandbox_id").asText()).isEqualTo(id);
    TestHttp.Reply fresh = allocate(TRACK_A, "track-a", "Idempotency-Key", "lab-2");
    assertThat(fresh.status()).isEqualTo(201);
    assertThat(fresh.json().get("sandbox_id").asText()).isNotEqualTo(id);
  }

  @Test
  void authIs401WithoutATokenAnd403ForTheWrongOne() {
    assertThat(http.post("/v1/allocate", "X-Track-ID", "track-a").status()).isEqualTo(401);
    assertThat(allocate("not-a-real-token-0123456789", "track-a").status()).isEqualTo(401);
    assertThat(allocate(TRACK_A, "track-b").status()).isEqualTo(403);
    assertThat(allocate(ADMIN, "track-a").status()).isEqualTo(403);
    assertThat(http.get("/v1/admin/stats", bearer(TRACK_A)).status()).isEqualTo(403);
    assertThat(http.get("/v1/admin/stats").status()).isEqualTo(401);
    assertThat(allocate(TRACK_A, "bad track!").status()).isEqualTo(400);
  }

  @Test
  void sandboxesOfOtherTracksAre403AndUnknownOnes404() {
    String id = allocate(TRACK_A, "track-a").json().get("sandbox_id").asText();
    assertThat(http.get("/v1/sandboxes/" + id, bearer(TRACK_A, "X-Track-ID", "track-a")).status())
        .isEqualTo(200);
    assertThat(http.get("/v1/sandboxes/" + id, bearer(TRACK_B, "X-Track-ID", "track-b")).status())
        .isEqualTo(403);
    assertThat(
            http.post(
                    "/v1/sandboxes/" + id + "/mark-for-deletion",
                    bearer(TRACK_B, "X-Track-ID", "track-b"))
                .status())
        .isEqualTo(403);
    TestHttp.Reply unknown =
        http.post("/v1/sandboxes/nope/mark-for-deletion", bearer(TRACK_A, "X-Track-ID", "track-a"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).isEqualTo("not_found");
  }

  @Test
  void badBodiesAre400415And413NeverA500() {
    String[] h = bearer(TRACK_A, "X-Track-ID", "track-a");
    assertThat(http.postJson("/v1/allocate", "{not json", h).status()).isEqualTo(400);
    assertThat(
            http.send(
                    http.builder("/v1/allocate", h)
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("hello")))
                .status())
        .isEqualTo(415);
    byte[] big = new byte[10 * 1024 * 1024];
    TestHttp.Reply tooBig =
        http.send(
            http.builder("/v1/allocate", h)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(http.postJson("/v1/allocate", "{}", h).status()).isEqualTo(201);
    assertThat(http.get("/v1/admin/sandboxes?limit=0", bearer(ADMIN)).status()).isEqualTo(400);
    assertThat(http.get("/v1/admin/sandboxes?status=gone", bearer(ADMIN)).status()).isEqualTo(400);
    assertThat(http.get("/v1/admin/sandboxes?cursor=%21%21", bearer(ADMIN)).status())
        .isEqualTo(400);
  }

  @Test
  void aTrackOverItsRateGets429WithRetryAfter() {
    int limited = 0;
    for (int i = 0; i < 8; i++) {
      TestHttp.Reply reply = allocate(TRACK_A, "track-a");
      if (reply.status() == 429) {
        limited++;
        assertThat(reply.header("Retry-After")).isEqualTo("1");
      }
    }
    assertThat(limited).isEqualTo(3); // burst 5 at --track-rate-limit 5, fake time stands still
  }

  @Test
  void theExhaustedPoolIsAClear503() {
    for (int i = 0; i < 20; i++) {
      assertThat(allocate(ANY_TRACK, "t-" + i).status()).isEqualTo(201);
    }
    TestHttp.Reply none = allocate(ANY_TRACK, "t-20");
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.json().get("error").asText()).isEqualTo("no_sandboxes");
    assertThat(none.header("Retry-After")).isEqualTo("30");
  }

  @Test
  void adminListsWithACursorAndCounts() {
    allocate(TRACK_A, "track-a");
    Set<String> seen = new HashSet<>();
    String cursor = "";
    for (int page = 0; page < 10; page++) {
      JsonNode json =
          http.get("/v1/admin/sandboxes?limit=7&cursor=" + cursor, bearer(ADMIN)).json();
      json.get("sandboxes").forEach(s -> seen.add(s.get("sandbox_id").asText()));
      if (json.get("next_cursor").isNull()) {
        break;
      }
      cursor = json.get("next_cursor").asText();
    }
    assertThat(seen).hasSize(20);
    JsonNode allocated =
        http.get("/v1/admin/sandboxes?status=allocated", bearer(ADMIN)).json().get("sandboxes");
    assertThat(allocated).hasSize(1);
    JsonNode stats = http.get("/v1/admin/stats", bearer(ADMIN)).json();
    assertThat(stats.get("total").asInt()).isEqualTo(20);
    assertThat(stats.get("allocated").asInt()).isEqualTo(1);
    assertThat(stats.get("available").asInt()).isEqualTo(19);
  }

  @Test
  void probesMetricsAndOpenApi() {
    JsonNode health = http.get("/healthz").json();
    assertThat(health.get("status").asText()).isEqualTo("healthy");
    assertThat(health.get("timestamp").asLong()).isEqualTo(Brokers.EPOCH / 1000);
    TestHttp.Reply ready = http.get("/readyz");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("checks").get("database").asText()).isEqualTo("ok");
    assertThat(ready.json().get("checks").get("csp_circuit_breaker").asText()).isEqualTo("closed");
    allocate(TRACK_A, "track-a");
    String metrics = http.get("/metrics").body();
    for (String name :
        List.of(
            "broker_allocate_total{outcome=\"success\"}",
            "broker_allocate_conflicts_total",
            "broker_allocate_idempotent_hits_total",
            "broker_sync_total{outcome=\"success\"}",
            "broker_sync_sandboxes_synced_total 20.0",
            "broker_sync_sandboxes_stale_total",
            "broker_cleanup_deleted_total",
            "broker_cleanup_failed_total",
            "broker_expiry_marked_total",
            "http_requests_total{endpoint=\"/v1/allocate\",method=\"POST\",status=\"201\"}",
            "broker_pool_available 19.0",
            "broker_pool_allocated 1.0",
            "broker_pool_pending_deletion 0.0",
            "broker_pool_stale 0.0",
            "broker_pool_total 20.0",
            "broker_allocation_latency_seconds_bucket{outcome=\"success\",le=\"0.1\"}",
            "broker_request_latency_seconds_bucket{endpoint=\"/v1/allocate\",method=\"POST\",le=\"0.1\"}",
            "broker_csp_circuit_breaker_state 0.0",
            "broker_job_last_run_timestamp_seconds{job=\"sync\"}")) {
      assertThat(metrics).contains(name);
    }
    JsonNode openApi = http.get("/v1/openapi.json").json();
    assertThat(openApi.get("paths").has("/v1/allocate")).isTrue();
  }

  @Test
  void noTokenOrBodyInAnyLogLine() {
    http.postJson(
        "/v1/allocate", Map.of("secret-body", "xyz"), bearer(TRACK_A, "X-Track-ID", "track-a"));
    String all = String.join("\n", brokers.log);
    assertThat(all).doesNotContain(TRACK_A).doesNotContain(ADMIN).doesNotContain("secret-body");
    assertThat(all).contains("\"track_id\":\"track-a\"").contains("\"sandbox_id\"");
  }
}
