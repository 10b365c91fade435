package dev.lbkit.services.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.TestHttp;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, bad input, large bodies both ways, and what the logs never hold. */
class ApiTest {

  @TempDir Path dir;
  private RouterFixture f;

  @AfterEach
  void close() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  /** Every route but health, with a method it answers. */
  private static final List<String[]> PROTECTED =
      List.of(
          new String[] {"POST", "/v1/jobs/submit"},
          new String[] {"GET", "/v1/jobs/job_x"},
          new String[] {"GET", "/v1/jobs/job_x/metrics"},
          new String[] {"DELETE", "/v1/jobs/job_x"},
          new String[] {"GET", "/v1/jobs/job_x/logs"},
          new String[] {"GET", "/v1/status"},
          new String[] {"GET", "/v1/stats"},
          new String[] {"GET", "/v1/cache/entries"});

  private TestHttp.Reply send(String method, String path, String... headers) {
    HttpRequest.Builder request = f.http.builder(path, headers);
    if (method.equals("POST")) {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"repo_url\":\"r\"}"));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return f.http.send(request);
  }

  @Test
  void everyRouteButHealthNeedsAKeyFromTheKeyFile() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a");
    Path file = dir.resolve("api_keys.json");
    assertThat(Files.readString(file)).contains("\"keys\"", "\"lb-dev-key-12345\"");

    String guess = "lb-dev-key-12346"; // one character off
    for (String[] route : PROTECTED) {
      TestHttp.Reply missing = send(route[0], route[1]);
      assertThat(missing.status()).as("%s %s without a key", route[0], route[1]).isEqualTo(401);
      assertThat(missing.json().get("message").asText())
          .isEqualTo("missing API key: send it in the X-API-Key header");
      for (String wrong :
          List.of(
              guess, RouterFixture.KEY + "0", "x", RouterFixture.KEY.toUpperCase(Locale.ROOT))) {
        TestHttp.Reply rejected = send(route[0], route[1], "X-API-Key", wrong);
        assertThat(rejected.status()).as("%s %s with %s", route[0], route[1], wrong).isEqualTo(401);
        assertThat(rejected.body()).doesNotContain(wrong);
      }
    }
    assertThat(f.runner("a").jobRequests()).isZero(); // nothing rejected reached a runner
    assertThat(f.http.get("/health").status()).isEqualTo(200);
    assertThat(f.http.get("/v1/health").json().get("status").asText()).isEqualTo("healthy");

    // the file is read again when it changes: a new key works, the removed one no longer does
    Files.writeString(file, "{\"keys\": [\"production-key-67890\"]}");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(f.http.get("/v1/status", "X-API-Key", "production-key-67890").status())
        .isEqualTo(200);
    assertThat(f.get("/v1/status").status()).isEqualTo(401);

    // a broken file keeps the keys read before
    Files.writeString(file, "{\"keys\": [");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
    assertThat(f.http.get("/v1/status", "X-API-Key", "production-key-67890").status())
        .isEqualTo(200);
    assertThat(f.logLines)
        .anySatisfy(line -> assertThat(line).contains("api_keys_unreadable"))
        .anySatisfy(line -> assertThat(line).contains("\"action\":\"rejected\"", "no API key"))
        .allSatisfy(
            line ->
                assertThat(line).doesNotContain(RouterFixture.KEY, "production-key-67890", guess));
  }

  @Test
  void badRequestsGetClearErrors() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a");
    Map<String, Object> noPath = RouterFixture.job("c1");
    noPath.remove("path");
    TestHttp.Reply missing = f.submit(noPath);
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("message").asText())
        .isEqualTo("path: missing (expected: a string)");
    Map<String, Object> numeric = RouterFixture.job("c1");
    numeric.put("weight_class", 3);
    assertThat(f.submit(numeric).json().get("message").asText())
        .isEqualTo("weight_class: 3 (expected: a non-empty string)");
    TestHttp.Reply notJson =
        f.http.send(
            f.http
                .builder(
                    "/v1/jobs/submit", "X-API-Key", RouterFixture.KEY, "Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
    assertThat(notJson.status()).isEqualTo(415);
    TestHttp.Reply unknown = f.get("/v1/jobs/job_nope");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("message").asText()).startsWith("unknown job: job_nope");
    assertThat(f.get("/v1/jobs/job_nope/logs").status()).isEqualTo(404);
    assertThat(f.get("/v2/anything").status()).isEqualTo(404);
    assertThat(f.runner("a").jobRequests()).isZero();
  }

  @Test
  void aTenMegabyteSubmitGetsA413TheClientReceives() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a");
    Map<String, Object> huge = RouterFixture.job("c1");
    huge.put("padding", "x".repeat(10 * 1024 * 1024));
    TestHttp.Reply tooLarge = f.submit(huge);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.json().get("error").asText()).isEqualTo("payload_too_large");
    assertThat(f.runner("a").submits()).isZero();
    assertThat(f.submit(RouterFixture.job("c1")).status()).isEqualTo(200); // still serving
  }

  @Test
  void anyOtherJobRouteStreamsToTheJobsRunnerUnchanged() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a", "b");
    Map<String, String> ids = new LinkedHashMap<>();
    String owner = f.submitTo("c1", ids);
    long size = 32L * 1024 * 1024;

    HttpResponse<InputStream> output =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + f.router.port()
                                + "/v1/jobs/"
                                + ids.get("c1")
                                + "/output?bytes="
                                + size))
                    .header("X-API-Key", RouterFixture.KEY)
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream body = output.body()) {
      byte[] buffer = new byte[65536];
      for (int n; (n = body.read(buffer)) >= 0; ) {
        received += n;
      }
    }
    assertThat(output.statusCode()).isEqualTo(200);
    assertThat(received).isEqualTo(size);

    TestHttp.Reply complete =
        f.http.post("/v1/jobs/" + ids.get("c1") + "/complete", "X-API-Key", RouterFixture.KEY);
    assertThat(complete.status()).isEqualTo(200);
    assertThat(f.runner(owner).queueDepth()).isZero();
    assertThat(f.logLines)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"action\":\"forward\"", "/output", "\"bytes\":" + size));
  }

  @Test
  void closeStopsEveryThreadItStarted() throws Exception {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a");
    assertThat(f.submit(RouterFixture.job("c1")).status()).isEqualTo(200);
    f.close();
    f = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<Thread> left;
    do {
      left =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> !before.contains(t) && t.isAlive())
              .filter(t -> !t.getName().startsWith("test-http")) // TestHttp's idle client threads
              .filter(t -> !t.getName().startsWith("HttpClient")) // the JDK client's selector
              .filter(t -> !t.getName().equals("process reaper"))
              .toList();
      if (left.isEmpty()) {
        break;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    assertThat(left).extracting(Thread::getName).isEmpty();
  }
}
