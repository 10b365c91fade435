package dev.lbkit.services.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.testing.JarProcess;
import dev.lbkit.services.kit.testing.TestHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code target/runner-router.jar}, started with the seed's options against three fake
 * runners: stickiness, lowest queue depth, a hung runner avoided, failover when a runner dies, a
 * 413, a 401, the cache across a restart and a clean SIGTERM. Runs in the package phase.
 */
class RouterJarIT {

  private static final Path JAR = Path.of("target", "runner-router.jar");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String KEY = ApiKeys.DEFAULT_KEY;

  @TempDir Path dir;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(resource);
    return resource;
  }

  private JarProcess startJar(FakeRunner... runners) throws Exception {
    List<String> args = new ArrayList<>(List.of("--runners"));
    for (FakeRunner runner : runners) {
      args.add(runner.url()); // the seed's form: several URLs after one --runners
    }
    args.addAll(
        List.of(
            "--port", "0",
            "--cache-dir", dir.resolve("lb_cache").toString(),
            "--cache-ttl-days", "7",
            "--health-check-interval", "1",
            "--log-level", "INFO"));
    return JarProcess.start(JAR, args, Map.of(RouterMain.REQUEST_TIMEOUT_ENV, "1"), dir);
  }

  /** Waits (bounded) until the router's status shows {@code runner} at {@code depth}. */
  private static void awaitDepth(TestHttp http, FakeRunner runner, long depth)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode status : http.get("/v1/status", "X-API-Key", KEY).json().get("runners")) {
        if (status.get("runner").asText().equals(runner.url())
            && status.get("queue_depth").asLong() == depth) {
          return;
        }
      }
      Thread.onSpinWait();
      Thread.yield();
    }
    throw new AssertionError(runner + " never showed queue depth " + depth);
  }

  private static void backlog(FakeRunner runner, int jobs) {
    try (TestHttp direct = new TestHttp(runner.url())) {
      for (int i = 0; i < jobs; i++) {
        assertThat(direct.postJson("/v1/jobs/submit", RouterFixture.job("other-" + i)).status())
            .isEqualTo(200);
      }
    }
  }

  @Test
  void helpListsExactlyTheSeedsOptions() throws Exception {
    JarProcess help = keep(JarProcess.start(JAR, List.of("--help"), Map.of(), dir));
    assertThat(help.awaitExit(WAIT)).isZero();
    String text = String.join("\n", help.lines());
    assertThat(text)
        .contains(
            "--runners",
            "--port",
            "--cache-dir",
            "--cache-ttl-days",
            "--health-check-interval",
            "--log-level",
            "--help");
    assertThat(help.lines().stream().filter(l -> l.trim().startsWith("--"))).hasSize(7);
  }

  @Test
  void theJarRoutesCachesAndFailsOverAsTheSeedSays() throws Exception {
    FakeRunner a = keep(FakeRunner.start("a"));
    FakeRunner b = keep(FakeRunner.start("b"));
    FakeRunner c = keep(FakeRunner.start("c"));
    backlog(a, 3);
    backlog(b, 1);
    backlog(c, 2);
    JarProcess jar = keep(startJar(a, b, c));
    TestHttp http = keep(TestHttp.of(jar.awaitPort(WAIT)));

    // 401 without a key, health without one
    assertThat(http.get("/v1/status").status()).isEqualTo(401);
    assertThat(http.get("/health").status()).isEqualTo(200);

    // the lowest queue depth takes a new job
    awaitDepth(http, a, 3);
    awaitDepth(http, b, 1);
    awaitDepth(http, c, 2);
    long bBefore = b.queueDepth();
    TestHttp.Reply first =
        http.postJson("/v1/jobs/submit", RouterFixture.job("c1"), "X-API-Key", KEY);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(b.queueDepth()).isEqualTo(bBefore + 1);
    String job = first.json().get("job_id").asText();

    // sticky: every request of the job goes to b
    long aJobs = a.jobRequests();
    long cJobs = c.jobRequests();
    for (int i = 0; i < 3; i++) {
      assertThat(http.get("/v1/jobs/" + job, "X-API-Key", KEY).json().get("status").asText())
          .isEqualTo("queued");
    }
    assertThat(a.jobRequests()).isEqualTo(aJobs);
    assertThat(c.jobRequests()).isEqualTo(cJobs);

    // a completed job's metrics are cached
    assertThat(http.post("/v1/jobs/" + job + "/complete", "X-API-Key", KEY).status())
        .isEqualTo(200);
    assertThat(
            http.get("/v1/jobs/" + job + "/metrics", "X-API-Key", KEY)
                .json()
                .get("status")
                .asText())
        .isEqualTo("completed");

    // c hangs on submit but stays healthy, with the lowest depth: avoided after two slow submits
    backlog(a, 3); // a: 6
    backlog(b, 5); // b: 6 (1 + its job, completed, + 5)
    c.hangOnSubmit(true);
    awaitDepth(http, a, 6);
    awaitDepth(http, b, 6);
    long cSubmits = c.submits();
    for (int i = 0; i < 5; i++) {
      TestHttp.Reply reply =
          http.postJson("/v1/jobs/submit", RouterFixture.job("h" + i), "X-API-Key", KEY);
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }
    assertThat(c.submits() - cSubmits).isLessThanOrEqualTo(2);

    // b dies: its job gets a clear 502 naming it; new jobs go on to the others
    b.close();
    TestHttp.Reply stranded = http.get("/v1/jobs/" + job, "X-API-Key", KEY);
    assertThat(stranded.status()).isEqualTo(502);
    assertThat(stranded.json().get("message").asText()).startsWith("job " + job + " is stranded");
    TestHttp.Reply after =
        http.postJson("/v1/jobs/submit", RouterFixture.job("after"), "X-API-Key", KEY);
    assertThat(after.status()).as(after.body()).isEqualTo(200);

    // a 10 MB body: the client gets the 413
    Map<String, Object> huge = RouterFixture.job("big");
    huge.put("padding", "x".repeat(10 * 1024 * 1024));
    assertThat(http.postJson("/v1/jobs/submit", huge, "X-API-Key", KEY).status()).isEqualTo(413);

    // SIGTERM: a clean stop; a new process serves the cached result from disk
    assertThat(jar.terminate(WAIT)).isZero();
    c.hangOnSubmit(false);
    JarProcess again = keep(startJar(a, c));
    TestHttp http2 = keep(TestHttp.of(again.awaitPort(WAIT)));
    TestHttp.Reply cached =
        http2.postJson("/v1/jobs/submit", RouterFixture.job("c1"), "X-API-Key", KEY);
    assertThat(cached.json().get("from_cache").asBoolean()).as(cached.body()).isTrue();
    assertThat(cached.json().get("job_id").asText()).startsWith("cache_");
    assertThat(String.join("\n", jar.lines())).doesNotContain(KEY);
  }
}
