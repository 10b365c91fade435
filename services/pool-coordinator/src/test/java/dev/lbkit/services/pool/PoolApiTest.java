package dev.lbkit.services.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.TestHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's HTTP API: outputs, tokens, bad input and a job's deadline. */
class PoolApiTest {

  private static final String CLIENT = "client-token-0123456789abcdef";
  private static final String ADMIN = "admin-token-0123456789abcdefgh";

  @TempDir Path dir;
  private PoolFixture fixture;

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private PoolFixture pool(String... options) throws Exception {
    fixture = new PoolFixture(dir);
    fixture.worker("a", 2);
    fixture.allow("a", 2);
    fixture.start(options);
    fixture.awaitHealthy(1);
    return fixture;
  }

  private static HttpResponse<byte[]> download(int port, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void outputsComeThroughTheCoordinatorByteForByte() throws Exception {
    PoolFixture f = pool();
    byte[] big = new byte[3 << 20];
    new SplittableRandom(7).nextBytes(big);
    byte[] small = "hello, pool".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String job =
        f.submit(
            Map.of(
                "name",
                "outputs",
                "outputs",
                Map.of(
                    "results/data.bin",
                    PoolFixture.base64(big),
                    "nested/deeper/hello.txt",
                    PoolFixture.base64(small))));
    f.awaitState(job, "completed");

    HttpResponse<byte[]> data = download(f.pool.port(), "/outputs/" + job + "/results/data.bin");
    assertThat(data.statusCode()).isEqualTo(200);
    assertThat(data.body()).isEqualTo(big);
    HttpResponse<byte[]> spaced =
        download(f.pool.port(), "/outputs/" + job + "/nested/deeper/hello.txt");
    assertThat(spaced.statusCode()).isEqualTo(200);
    assertThat(spaced.body()).isEqualTo(small);

    assertThat(download(f.pool.port(), "/outputs/" + job + "/missing.txt").statusCode())
        .isEqualTo(404);
    assertThat(download(f.pool.port(), "/outputs/pool-nope/x").statusCode()).isEqualTo(404);
    String queued = f.submit("hold-q1");
    f.submit("hold-q2");
    String third = f.submit("hold-q3"); // the worker takes two: this one waits
    TestHttp.Reply notYet = f.http.get("/outputs/" + third + "/x");
    assertThat(notYet.status()).isEqualTo(404);
    assertThat(notYet.json().get("message").asText()).contains("no outputs yet (status queued)");
    f.ledger.release("hold-q1");
    f.awaitState(queued, "completed");
  }

  @Test
  void tokensGuardTheRoutesAndNeverReachTheLogs() throws Exception {
    PoolFixture f = pool("--client-token", CLIENT, "--admin-token", ADMIN);
    String[] client = TestHttp.bearer(CLIENT);
    String[] admin = TestHttp.bearer(ADMIN);

    TestHttp.Reply none = f.http.postJson("/submit", Map.of("name", "x"));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(
            f.http.postJson("/submit", Map.of("name", "x"), TestHttp.bearer(CLIENT + "x")).status())
        .isEqualTo(401);
    assertThat(f.http.postJson("/submit", Map.of("name", "x"), admin).status()).isEqualTo(401);
    String job = f.submit(Map.of("name", "ok", "outputs", Map.of("o.txt", "aGk=")), client);
    assertThat(f.http.get("/status/" + job).status()).isEqualTo(401);
    Await.until(
        job + " completed", () -> f.status(job, client).get("status").asText().equals("completed"));
    assertThat(download(f.pool.port(), "/outputs/" + job + "/o.txt").statusCode()).isEqualTo(401);
    assertThat(download(f.pool.port(), "/outputs/" + job + "/o.txt", client).body())
        .isEqualTo("hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    assertThat(f.http.get("/pool", client).status()).isEqualTo(401);
    assertThat(f.http.get("/pool", admin).status()).isEqualTo(200);
    assertThat(f.http.postJson("/pool/drain", Map.of("worker_id", "x"), client).status())
        .isEqualTo(401);

    assertThat(f.log).isNotEmpty().noneMatch(line -> line.contains(CLIENT) || line.contains(ADMIN));
  }

  @Test
  void badRequestsAreAnsweredWithTheReason() throws Exception {
    PoolFixture f = pool("--max-body-bytes", "1000");

    TestHttp.Reply empty = f.http.post("/submit");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.json().get("message").asText()).startsWith("body: empty");
    TestHttp.Reply large = f.http.postJson("/submit", Map.of("name", "x".repeat(2000)));
    assertThat(large.status()).isEqualTo(413);
    TestHttp.Reply unknown = f.http.get("/status/pool-nope");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("message").asText()).startsWith("job pool-nope: not known");
    TestHttp.Reply noWorker = f.http.postJson("/pool/drain", Map.of("worker_id", "nobody"));
    assertThat(noWorker.status()).isEqualTo(404);
    TestHttp.Reply noName = f.http.postJson("/pool/drain", Map.of("name", "a"));
    assertThat(noName.status()).isEqualTo(400);
    assertThat(noName.json().get("message").asText())
        .contains("(expected: {\"worker_id\": ...} or {\"endpoint\": ...})");
    assertThat(f.http.get("/submit").status()).isEqualTo(405);
    assertThat(f.http.get("/nope").status()).isEqualTo(404);
  }

  @Test
  void aJobThatNoWorkerTakesFailsAtItsDeadline() throws Exception {
    fixture = new PoolFixture(dir);
    fixture.worker("a", 1);
    String stranger = WorkerIdentity.workerId(WorkerIdentity.generate().getPublic());
    fixture.allow(fixture.endpoint("a"), stranger, 1, null); // its key is not a's: never proven
    fixture.start("--job-deadline", "0.3");
    String job = fixture.submit("never");

    fixture.awaitState(job, "failed");
    assertThat(fixture.status(job).get("error").asText())
        .isEqualTo("no worker took the job within its deadline (PT0.3S)");
    assertThat(fixture.status(job).get("attempts").asInt()).isZero();
  }
}
