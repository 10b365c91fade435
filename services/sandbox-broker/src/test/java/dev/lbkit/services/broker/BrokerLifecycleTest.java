package dev.lbkit.services.broker;

import static dev.lbkit.services.broker.Brokers.ADMIN;
import static dev.lbkit.services.broker.Brokers.TRACK_A;
import static dev.lbkit.services.broker.Brokers.TRACK_B;
import static dev.lbkit.services.kit.testing.TestHttp.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.broker.csp.HttpCsp;
import dev.lbkit.services.broker.store.Sandbox;
import dev.lbkit.services.broker.store.Status;
import dev.lbkit.services.kit.testing.TestHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle end to end on fake time, against a CSP over HTTP that fails and recovers. */
class BrokerLifecycleTest {
  @TempDir Path dir;
  private final Brokers brokers = new Brokers();
  private FakeCsp csp;
  private Broker broker;
  private TestHttp http;

  @BeforeEach
  void start() throws Exception {
    csp = new FakeCsp("sbx-1", "sbx-2", "sbx-3");
    broker =
        brokers.start(
            Brokers.sqlite(dir),
            new HttpCsp(csp.url(), "csp-secret", Duration.ofSeconds(5)),
            "--max-deletion-attempts",
            "4");
    http = TestHttp.of(broker.port());
    assertThat(broker.store().counts().get(Status.AVAILABLE))
        .as("the first sync: %s", brokers.log)
        .isEqualTo(3);
  }

  @AfterEach
  void stop() {
    broker.close();
    csp.close();
    http.close();
  }

  private String allocate(String token, String track) {
    TestHttp.Reply reply = http.post("/v1/allocate", bearer(token, "X-Track-ID", track));
    assertThat(reply.status()).isEqualTo(201);
    return reply.json().get("sandbox_id").asText();
  }

  private Sandbox row(String id) throws Exception {
    return broker.store().find(id).orElseThrow();
  }

  @Test
  void markedSandboxIsDeletedAfterTheCspFailsTwice() throws Exception {
    String id = allocate(TRACK_A, "track-a");
    TestHttp.Reply marked =
        http.post(
            "/v1/sandboxes/" + id + "/mark-for-deletion", bearer(TRACK_A, "X-Track-ID", "track-a"));
    assertThat(marked.json().get("status").asText()).isEqualTo("pending_deletion");
    assertThat(row(id).status()).isEqualTo(Status.PENDING_DELETION); // not free: not handed out

    csp.failDeletes.set(2);
    assertThat(broker.cleanupJob().run()).containsEntry("failed", 1).containsEntry("deleted", 0);
    assertThat(row(id).deletionRetryCount()).isEqualTo(1);
    assertThat(broker.cleanupJob().run()).containsEntry("failed", 0); // backing off: not due
    brokers.clock.advance(Duration.ofSeconds(60));
    assertThat(broker.cleanupJob().run()).containsEntry("failed", 1);
    assertThat(row(id).deletionRetryCount()).isEqualTo(2);
    brokers.clock.advance(Duration.ofSeconds(119));
    assertThat(broker.cleanupJob().run()).containsEntry("failed", 0).containsEntry("deleted", 0);
    brokers.clock.advance(Duration.ofSeconds(1));
    assertThat(broker.cleanupJob().run()).containsEntry("deleted", 1);
    assertThat(broker.store().find(id)).isEmpty();
    assertThat(csp.deleted).containsExactly(id);
    String metrics = http.get("/metrics").body();
    assertThat(metrics)
        .contains("broker_cleanup_deleted_total 1.0")
        .contains("broker_cleanup_failed_total 2.0")
        .contains("broker_deletion_marked_total{outcome=\"success\"} 1.0");
  }

  @Test
  void afterMaxAttemptsTheSandboxIsDeletionFailed() throws Exception {
    String id = allocate(TRACK_A, "track-a");
    http.post(
        "/v1/sandboxes/" + id + "/mark-for-deletion", bearer(TRACK_A, "X-Track-ID", "track-a"));
    csp.failDeletes.set(1000);
    for (int i = 0; i < 4; i++) {
      broker.cleanupJob().run();
      brokers.clock.advance(Duration.ofHours(1));
    }
    assertThat(row(id).status()).isEqualTo(Status.DELETION_FAILED);
    assertThat(row(id).deletionRetryCount()).isEqualTo(4);
    assertThat(brokers.log).anyMatch(l -> l.contains("\"action\":\"deletion_failed\""));
  }

  @Test
  void allocationsExpireAfterTheLeaseTtl() throws Exception {
    String id = allocate(TRACK_B, "track-b");
    brokers.clock.advance(Duration.ofSeconds(16_199));
    assertThat(broker.expiryJob().run()).containsEntry("expired", 0);
    brokers.clock.advance(Duration.ofSeconds(1));
    assertThat(broker.expiryJob().run()).containsEntry("expired", 1);
    assertThat(row(id).status()).isEqualTo(Status.PENDING_DELETION);
    assertThat(broker.cleanupJob().run()).containsEntry("deleted", 1);
    assertThat(http.get("/metrics").body()).contains("broker_expiry_marked_total 1.0");
  }

  @Test
  void syncAddsNewSandboxesAndStalesVanishedOnes() throws Exception {
    String held = allocate(TRACK_A, "track-a");
    csp.add("sbx-9");
    String free = held.equals("sbx-1") ? "sbx-2" : "sbx-1";
    csp.remove(free);
    csp.remove(held); // an allocation is left alone even if the CSP lost it
    brokers.clock.advance(Duration.ofMinutes(10));
    JsonNode run = http.post("/v1/admin/sync", bearer(ADMIN)).json();
    assertThat(run.get("outcome").asText()).isEqualTo("success");
    assertThat(run.get("added").asInt()).isEqualTo(1);
    assertThat(run.get("staled").asInt()).isEqualTo(1);
    assertThat(row("sbx-9").status()).isEqualTo(Status.AVAILABLE);
    assertThat(row(free).status()).isEqualTo(Status.STALE);
    assertThat(row(held).status()).isEqualTo(Status.ALLOCATED);
    csp.add(free);
    brokers.clock.advance(Duration.ofMinutes(10));
    assertThat(broker.syncJob().run()).containsEntry("revived", 1);
    assertThat(row(free).status()).isEqualTo(Status.AVAILABLE);
    assertThat(http.get("/metrics").body())
        .contains("broker_sync_sandboxes_synced_total 4.0")
        .contains("broker_sync_sandboxes_stale_total 1.0");
  }

  @Test
  void theBreakerOpensOnAFailingCspAndTheJobsSaySo() throws Exception {
    csp.failLists.set(1000);
    // the window: the first sync's success, then failures; at 5 calls and >= 50% failed it opens
    for (int i = 0; i < 4; i++) {
      assertThat(broker.syncJob().run()).containsEntry("outcome", "error");
    }
    assertThat(broker.syncJob().run()).containsEntry("outcome", "circuit_open");
    TestHttp.Reply ready = http.get("/readyz");
    assertThat(ready.status()).isEqualTo(200); // allocation needs the store only
    assertThat(ready.json().get("checks").get("csp_circuit_breaker").asText()).isEqualTo("open");
    assertThat(http.get("/metrics").body()).contains("broker_csp_circuit_breaker_state 1.0");
    csp.failLists.set(0);
    broker.csp().breaker().transitionToHalfOpenState(); // what 30 s open would do
    assertThat(broker.syncJob().run()).containsEntry("outcome", "success");
  }

  @Test
  void aHangingCspTimesOutAndTheNextRunRecovers() throws Exception {
    csp.hang = new CountDownLatch(1);
    assertThat(broker.syncJob().run()).containsEntry("outcome", "error");
    csp.hang.countDown();
    csp.add("sbx-7");
    brokers.clock.advance(Duration.ofMinutes(1));
    assertThat(broker.syncJob().run())
        .containsEntry("outcome", "success")
        .containsEntry("added", 1);
  }
}
