package dev.lbkit.services.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.HttpService;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Reply;
import dev.lbkit.services.kit.Routes;
import dev.lbkit.services.kit.testing.TestHttp;
import dev.lbkit.services.pool.worker.ReferenceWorker;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only the holder of an allowlisted key gets jobs: impostors at an allowlisted address (the right
 * id with the wrong key; a replayed signature) never do, and the weaker echo-only check admits a
 * worker only where its allowlist entry says so.
 */
class PoolIdentityTest {

  @TempDir Path dir;
  private PoolFixture fixture;
  private final List<AutoCloseable> impostors = new ArrayList<>();
  private final LongAdder impostorSubmits = new LongAdder();

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    for (AutoCloseable impostor : impostors) {
      impostor.close();
    }
  }

  /**
   * A server that answers {@code /health} claiming {@code claimedId} with the signature {@code
   * sign} makes of the nonce (none if it returns null), and takes any job.
   */
  private HttpService impostor(String claimedId, Function<byte[], String> sign) throws Exception {
    Routes routes =
        Routes.builder()
            .get(
                "/health",
                exchange -> {
                  Map<String, Object> health = new LinkedHashMap<>();
                  health.put("status", "healthy");
                  health.put("worker_id", claimedId);
                  String nonce = exchange.query("nonce");
                  String signature =
                      sign.apply(Base64.getUrlDecoder().decode(nonce == null ? "" : nonce));
                  if (signature != null) {
                    health.put("signature", signature);
                  }
                  return Reply.json(200, health);
                })
            .post(
                "/submit",
                exchange -> {
                  impostorSubmits.increment();
                  return Reply.json(200, Map.of("job_id", "forged", "status", "queued"));
                })
            .get(
                "/status/{id}",
                exchange -> Reply.json(200, Map.of("job_id", "forged", "status", "completed")))
            .build();
    HttpService impostor =
        HttpService.builder("impostor", routes)
            .port(0)
            .host("127.0.0.1")
            .log(JsonLog.to("impostor", line -> {}))
            .build()
            .start();
    impostors.add(impostor);
    return impostor;
  }

  /**
   * Starts a pool over the honest worker "real" and the impostor at {@code impostorPort},
   * allowlisted with {@code victimId}; runs jobs; checks every one ran on "real" and none reached
   * the impostor.
   */
  private void assertImpostorNeverUsed(int impostorPort, String victimId) throws Exception {
    fixture.worker("real", 4);
    fixture.allow("http://127.0.0.1:" + impostorPort, victimId, 4, null);
    fixture.allow("real", 4);
    fixture.start();
    fixture.awaitHealthy(1);
    for (int round = 0; round < 3; round++) {
      fixture.pool.pool().checkHealth(); // three fresh challenges for the impostor too
    }
    List<String> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(fixture.submit("job-" + i));
    }
    for (String job : jobs) {
      fixture.awaitState(job, "completed");
      assertThat(fixture.status(job).get("worker_endpoint").asText())
          .isEqualTo(fixture.endpoint("real"));
    }
    assertThat(impostorSubmits.sum()).isZero();
    JsonNode pool = fixture.http.get("/pool").json();
    assertThat(pool.get("healthy_workers").asInt()).isEqualTo(1);
    for (JsonNode worker : pool.get("workers")) {
      if (worker.get("endpoint").asText().endsWith(":" + impostorPort)) {
        assertThat(worker.get("is_healthy").asBoolean()).isFalse();
        assertThat(worker.get("jobs_started").asLong()).isZero();
      }
    }
  }

  @Test
  void anImpostorWithTheRightIdButAnotherKeyNeverGetsAJob() throws Exception {
    fixture = new PoolFixture(dir);
    String victimId = WorkerIdentity.workerId(WorkerIdentity.generate().getPublic());
    KeyPair own = WorkerIdentity.generate();
    HttpService impostor =
        impostor(
            victimId,
            nonce ->
                Base64.getEncoder().encodeToString(WorkerIdentity.sign(own.getPrivate(), nonce)));

    assertImpostorNeverUsed(impostor.port(), victimId);
  }

  @Test
  void anImpostorReplayingARecordedSignatureNeverGetsAJob() throws Exception {
    fixture = new PoolFixture(dir);
    ReferenceWorker victim = fixture.worker("victim", 1);
    String recordedNonce = Base64.getUrlEncoder().encodeToString(new byte[32]);
    String recorded;
    try (TestHttp http = TestHttp.of(victim.port())) {
      recorded = http.get("/health?nonce=" + recordedNonce).json().get("signature").asText();
    }
    HttpService impostor = impostor(victim.workerId(), nonce -> recorded);

    assertImpostorNeverUsed(impostor.port(), victim.workerId());
  }

  @Test
  void aWorkerThatOnlyEchoesItsIdIsAdmittedOnlyWithTheEchoFlag() throws Exception {
    fixture = new PoolFixture(dir);
    String id = WorkerIdentity.workerId(WorkerIdentity.generate().getPublic());
    HttpService echoAllowed = impostor(id, nonce -> null);
    HttpService echoRefused = impostor(id, nonce -> null);
    String x509 =
        Base64.getEncoder().encodeToString(WorkerIdentity.publicKey(id, "id").getEncoded());
    fixture.allow("http://127.0.0.1:" + echoAllowed.port(), x509, 1, "echo");
    fixture.allow("http://127.0.0.1:" + echoRefused.port(), id, 1, null);
    fixture.start();

    fixture.awaitHealthy(1);
    for (int round = 0; round < 3; round++) {
      fixture.pool.pool().checkHealth();
    }
    JsonNode workers = fixture.http.get("/pool").json().get("workers");
    assertThat(workers.get(0).get("identity").asText()).isEqualTo("echo");
    assertThat(workers.get(0).get("is_healthy").asBoolean()).isTrue();
    assertThat(workers.get(1).get("identity").asText()).isEqualTo("challenge");
    assertThat(workers.get(1).get("is_healthy").asBoolean()).isFalse();
  }
}
