package dev.lbkit.examples.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.examples.http.FakeClock;
import dev.lbkit.examples.http.Json;
import dev.lbkit.examples.http.TestHttp;
import dev.lbkit.examples.http.Threads;
import dev.lbkit.health.Scheduler;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner router over real loopback HTTP: real {@link SandboxRunner}s, a real client, fake time
 * for the caches. The only waits are the HTTP calls themselves.
 */
class RunnerRouterTest {

  static final String KEY = "lb-dev-key-12345";
  static final String OTHER_KEY = "production-key-67890";

  private final FakeClock clock = new FakeClock();

  /** A scheduler that never runs what it is given. */
  private static final Scheduler NEVER = (task, delayNanos) -> () -> {};

  private final Map<String, SandboxRunner> runners = new LinkedHashMap<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private RunnerRouter router;

  @AfterEach
  void closeEverything() throws Exception {
    Collections.reverse(resources);
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  /** Starts runners with these names and a router over them, every runner probed once. */
  private void startRouter(UnaryOperator<RunnerRouter.Builder> options, String... names)
      throws IOException {
    RunnerRouter.Builder builder = RunnerRouter.builder();
    for (String name : names) {
      SandboxRunner runner = SandboxRunner.start(name);
      resources.add(runner);
      runners.put(name, runner);
      builder.runner("127.0.0.1", runner.port());
    }
    router =
        options
            .apply(
                builder
                    .apiKeys(List.of(KEY, OTHER_KEY))
                    .health(Duration.ofHours(1), Duration.ofHours(1))
                    // The caches run on fake time; health rounds run only when a test calls
                    // checkHealth(). Scheduled rounds would start real probes whose deadlines pass
                    // on fake time while the I/O still runs, and fail a healthy runner.
                    .clock(clock, NEVER))
            .start();
    resources.add(router);
    router.checkHealth();
  }

  private void startRouter(String... names) throws IOException {
    startRouter(b -> b, names);
  }

  private static String job(String commit, String weightClass) {
    return Json.write(
        Map.of(
            "repo_url", "https://github.com/acme/app",
            "branch", "main",
            "commit", commit,
            "path", "tests/",
            "weight_class", weightClass));
  }

  private TestHttp.Reply submit(String commit) {
    return submit(commit, "small");
  }

  private TestHttp.Reply submit(String commit, String weightClass) {
    return TestHttp.post(
        router.uri(), "/v1/jobs/submit", job(commit, weightClass), "X-API-Key", KEY);
  }

  private TestHttp.Reply call(String method, String path) {
    return TestHttp.send(method, router.uri(), path, null, "X-API-Key", KEY);
  }

  /** Submits a job through the router; returns the name of the runner that took it. */
  private String submitTo(String commit, Map<String, String> jobIds) {
    Map<String, Integer> before = depths();
    TestHttp.Reply reply = submit(commit);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json()).containsEntry("from_cache", false).containsEntry("status", "queued");
    jobIds.put(commit, reply.get("job_id"));
    for (String name : runners.keySet()) {
      if (runners.get(name).queueDepth() > before.get(name)) {
        return name;
      }
    }
    throw new AssertionError("no runner took " + commit);
  }

  private Map<String, Integer> depths() {
    Map<String, Integer> depths = new LinkedHashMap<>();
    runners.forEach((name, runner) -> depths.put(name, runner.queueDepth()));
    return depths;
  }

  /** Gives a runner jobs from elsewhere (another validator), straight, not through the router. */
  private void backlog(String runner, int jobs) {
    URI uri = URI.create("http://127.0.0.1:" + runners.get(runner).port());
    for (int i = 0; i < jobs; i++) {
      assertThat(TestHttp.post(uri, "/v1/jobs/submit", job("other-" + i, "small")).status())
          .isEqualTo(200);
    }
  }

  private long jobRequests(String runner) {
    return runners.get(runner).jobRequests();
  }

  private long allJobRequests() {
    return runners.values().stream().mapToLong(SandboxRunner::jobRequests).sum();
  }

  // ---------------------------------------------------------------- routing

  @Test
  void aNewJobGoesToTheHealthyRunnerWithTheLowestReportedQueueDepth() throws IOException {
    startRouter("a", "b", "c");
    backlog("a", 3);
    backlog("b", 1);
    backlog("c", 2);
    router.checkHealth(); // the probes read queue depths 3, 1 and 2

    Map<String, String> ids = new LinkedHashMap<>();
    assertThat(submitTo("c1", ids)).isEqualTo("b");

    backlog("b", 4); // b: 6 now, a: 3, c: 2
    router.checkHealth();
    assertThat(submitTo("c2", ids)).isEqualTo("c");
    assertThat(call("GET", "/v1/status").body())
        .contains("\"queue_depth\":3", "\"queue_depth\":6") // c's is 2 + 1 sent since
        .contains("{\"runner\":\"127.0.0.1:" + runners.get("c").port() + "\",\"healthy\":true");
  }

  @Test
  void everyRequestOfAJobGoesToTheRunnerThatTookIt() throws IOException {
    startRouter("a", "b", "c");
    Map<String, String> ids = new LinkedHashMap<>();
    String owner = submitTo("c1", ids);
    String id = ids.get("c1");
    assertThat(id).startsWith("job_");
    backlog(owner, 5); // new jobs would now go elsewhere
    router.checkHealth();
    Map<String, Long> before = new LinkedHashMap<>();
    runners.keySet().forEach(name -> before.put(name, jobRequests(name)));

    for (int i = 0; i < 3; i++) {
      TestHttp.Reply status = call("GET", "/v1/jobs/" + id);
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.json())
          .containsEntry("job_id", id)
          .containsEntry("status", "queued")
          .containsEntry("from_cache", false);
      assertThat(call("GET", "/v1/jobs/" + id + "/metrics").json())
          .containsEntry("status", "queued");
    }
    runners.get(owner).completeAll();
    TestHttp.Reply metrics = call("GET", "/v1/jobs/" + id + "/metrics");
    assertThat(metrics.json()).containsEntry("status", "completed").containsKey("score");
    assertThat(call("DELETE", "/v1/jobs/" + id).json()).containsEntry("status", "cancelled");

    for (String name : runners.keySet()) {
      assertThat(jobRequests(name) - before.get(name))
          .as("job requests on %s", name)
          .isEqualTo(name.equals(owner) ? 8 : 0);
    }
    assertThat(call("GET", "/v1/jobs/" + id).status()).isEqualTo(404); // cancelled: forgotten
  }

  @Test
  void jobsAreForgottenAfterTheJobTtlWithoutARequest() throws IOException {
    startRouter(b -> b.jobTtl(Duration.ofMinutes(10)), "a");
    Map<String, String> ids = new LinkedHashMap<>();
    submitTo("c1", ids);
    String id = ids.get("c1");

    clock.advance(Duration.ofMinutes(9));
    assertThat(call("GET", "/v1/jobs/" + id).status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(9)); // 18 min since the submit, 9 since the last request
    assertThat(call("GET", "/v1/jobs/" + id).status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(10));

    TestHttp.Reply forgotten = call("GET", "/v1/jobs/" + id);
    assertThat(forgotten.status()).isEqualTo(404);
    assertThat(forgotten.get("error"))
        .isEqualTo("unknown job: " + id + " (not submitted here, or not asked about for PT10M)");
  }

  // ---------------------------------------------------------------- a runner dies

  @Test
  void whenARunnerDiesItsJobsGetAClearErrorAndNewJobsFailOver() throws IOException {
    startRouter("a", "b");
    Map<String, String> ids = new LinkedHashMap<>();
    String dead = submitTo("stranded", ids);
    String alive = dead.equals("a") ? "b" : "a";
    String stranded = ids.get("stranded");
    backlog(alive, 5);
    router.checkHealth(); // the dying runner reports the lower depth: new jobs prefer it

    runners.get(dead).close();

    TestHttp.Reply lost = call("GET", "/v1/jobs/" + stranded); // its runner still looks healthy
    assertThat(lost.status()).isEqualTo(502);
    assertThat(lost.get("error"))
        .isEqualTo(
            "job "
                + stranded
                + " is stranded: the runner that took it is unavailable; submit the job again");
    for (int i = 0; i < 3; i++) {
      assertThat(submitTo("new-" + i, ids)).isEqualTo(alive); // tried on the dead one first
    }

    router.checkHealth();
    router.checkHealth(); // two failed probes: unhealthy
    assertThat(call("GET", "/v1/jobs/" + stranded + "/metrics").get("error"))
        .startsWith("job " + stranded + " is stranded");
    assertThat(submitTo("after", ids)).isEqualTo(alive);
    TestHttp.Reply health = TestHttp.get(router.uri(), "/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json()).containsEntry("healthy_runners", 1L).containsEntry("runners", 2L);

    runners.get(alive).close();
    router.checkHealth();
    router.checkHealth();
    TestHttp.Reply none = submit("nowhere");
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.get("error")).isEqualTo("no healthy runner");
    assertThat(TestHttp.get(router.uri(), "/v1/health").status()).isEqualTo(503);
  }

  // ---------------------------------------------------------------- the result cache

  /** Runs job {@code commit} to completion through the router; returns its score. */
  private Object complete(String commit) {
    Map<String, String> ids = new LinkedHashMap<>();
    String runner = submitTo(commit, ids);
    runners.get(runner).completeAll();
    TestHttp.Reply metrics = call("GET", "/v1/jobs/" + ids.get(commit) + "/metrics");
    assertThat(metrics.json()).containsEntry("status", "completed");
    return metrics.json().get("score");
  }

  @Test
  void aCacheHitIsAnsweredWithoutTouchingARunner() throws IOException {
    startRouter("a", "b");
    Object score = complete("c1");
    long before = allJobRequests();

    TestHttp.Reply hit = submit("c1");
    assertThat(hit.status()).isEqualTo(200);
    assertThat(hit.json())
        .containsEntry("status", "completed")
        .containsEntry("from_cache", true)
        .containsEntry("score", score);
    String cached = hit.get("job_id");
    assertThat(cached).startsWith("cache_");
    assertThat(call("GET", "/v1/jobs/" + cached).json()).containsEntry("from_cache", true);
    assertThat(call("GET", "/v1/jobs/" + cached + "/metrics").json()).containsEntry("score", score);

    assertThat(allJobRequests()).isEqualTo(before);
    assertThat(submit("c1", "large").json()).containsEntry("from_cache", false); // another key
    assertThat(allJobRequests()).isEqualTo(before + 1);
    assertThat(call("GET", "/v1/stats").body()).contains("\"cache_hits\":1,\"cache_misses\":2");
    assertThat(call("GET", "/v1/cache/entries").body())
        .startsWith("{\"count\":1,")
        .contains("\"commit\":\"c1\",\"path\":\"tests/\",\"weight_class\":\"small\"");
  }

  @Test
  void aCachedResultExpiresAfterItsTtl() throws IOException {
    startRouter(b -> b.resultTtl(Duration.ofHours(1)), "a");
    complete("c1");
    long before = allJobRequests();

    clock.advance(Duration.ofMinutes(59));
    TestHttp.Reply hit = submit("c1");
    assertThat(hit.json()).containsEntry("from_cache", true);
    String cached = hit.get("job_id");
    assertThat(allJobRequests()).isEqualTo(before);

    clock.advance(Duration.ofMinutes(2));
    TestHttp.Reply expired = call("GET", "/v1/jobs/" + cached);
    assertThat(expired.status()).isEqualTo(404);
    assertThat(expired.get("error"))
        .isEqualTo("job " + cached + ": its cached result has expired; submit it again");
    assertThat(submit("c1").json()).containsEntry("from_cache", false);
    assertThat(allJobRequests()).isEqualTo(before + 1);
  }

  // ---------------------------------------------------------------- bad input and lifecycle

  @Test
  void badRequestsGetClearErrors() throws IOException {
    startRouter("a");
    TestHttp.Reply noCommit =
        TestHttp.post(
            router.uri(),
            "/v1/jobs/submit",
            "{\"repo_url\":\"r\",\"branch\":\"b\",\"path\":\"p\",\"weight_class\":\"w\"}",
            "X-API-Key",
            KEY);
    assertThat(noCommit.status()).isEqualTo(400);
    assertThat(noCommit.get("error")).isEqualTo("commit: missing (expected: a string)");
    assertThat(call("GET", "/v1/jobs/job_nope").get("error")).startsWith("unknown job: job_nope");
    assertThat(call("GET", "/v1/jobs/job_nope/logs").status()).isEqualTo(404);
    assertThat(call("PUT", "/v1/jobs/job_nope").status()).isEqualTo(404);
    assertThat(call("GET", "/v2/anything").get("error")).isEqualTo("no route: GET /v2/anything");
    assertThat(jobRequests("a")).isZero();
  }

  @Test
  void theBuilderRejectsBadInputNamingTheArgumentAndValue() {
    RunnerRouter.Builder builder = RunnerRouter.builder();
    assertThatThrownBy(builder::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("runners: none (expected: at least one)");
    builder.runner("127.0.0.1", 9000);
    assertThatThrownBy(builder::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("apiKeys: none (expected: at least one)");
    assertThatThrownBy(() -> builder.runner("127.0.0.1", 9000))
        .hasMessage("runner: 127.0.0.1:9000 (expected: added once)");
    assertThatThrownBy(() -> builder.apiKeys(List.of(KEY, "")))
        .hasMessage("apiKeys[1]: blank (expected: not blank)");
    assertThatThrownBy(() -> builder.resultTtl(Duration.ZERO))
        .hasMessage("resultTtl: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.jobTtl(Duration.ofSeconds(-1)))
        .hasMessage("jobTtl: PT-1S (expected: > 0)");
    assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO))
        .hasMessage("requestTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.health(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessage("interval: PT0S (expected: > 0)");
  }

  @Test
  void closeStopsEveryThreadItStarted() throws IOException {
    Set<Thread> before = Threads.live();
    SandboxRunner runner = SandboxRunner.start("solo");
    RunnerRouter solo =
        RunnerRouter.builder()
            .runner("127.0.0.1", runner.port())
            .apiKeys(List.of(KEY))
            .start(); // the system clock and the health checker's own threads
    solo.checkHealth();
    assertThat(
            TestHttp.post(solo.uri(), "/v1/jobs/submit", job("c", "small"), "X-API-Key", KEY)
                .status())
        .isEqualTo(200);

    solo.close();
    solo.close(); // idempotent
    runner.close();

    Threads.awaitNoneBut(before);
  }

  // ---------------------------------------------------------------- API keys

  /** Every route but health, with a method it answers. */
  private static final List<String[]> PROTECTED =
      List.of(
          new String[] {"POST", "/v1/jobs/submit"},
          new String[] {"GET", "/v1/jobs/job_x"},
          new String[] {"GET", "/v1/jobs/job_x/metrics"},
          new String[] {"DELETE", "/v1/jobs/job_x"},
          new String[] {"GET", "/v1/status"},
          new String[] {"GET", "/v1/stats"},
          new String[] {"GET", "/v1/cache/entries"},
          new String[] {"GET", "/v1/no-such-route"});

  @Test
  void everyRouteButHealthNeedsAValidApiKey() throws IOException {
    startRouter("a");
    String guess = "lb-dev-key-12346"; // one character off
    for (String[] route : PROTECTED) {
      String body = route[0].equals("POST") ? job("c1", "small") : null;
      TestHttp.Reply missing = TestHttp.send(route[0], router.uri(), route[1], body);
      assertThat(missing.status()).as("%s %s without a key", route[0], route[1]).isEqualTo(401);
      assertThat(missing.get("error"))
          .isEqualTo("missing API key: send it in the X-API-Key header");

      for (String wrong : List.of(guess, KEY + "0", "x", KEY.toUpperCase(java.util.Locale.ROOT))) {
        TestHttp.Reply rejected =
            TestHttp.send(route[0], router.uri(), route[1], body, "X-API-Key", wrong);
        assertThat(rejected.status()).as("%s %s with %s", route[0], route[1], wrong).isEqualTo(401);
        assertThat(rejected.body()).isEqualTo("{\"error\":\"invalid API key\"}");
        assertThat(rejected.headers().map().toString()).doesNotContain(wrong);
      }
    }
    assertThat(jobRequests("a")).isZero(); // nothing rejected reached a runner

    assertThat(TestHttp.get(router.uri(), "/health").status()).isEqualTo(200);
    assertThat(TestHttp.get(router.uri(), "/v1/health").status()).isEqualTo(200);
    assertThat(TestHttp.get(router.uri(), "/v1/status", "X-API-Key", OTHER_KEY).status())
        .isEqualTo(200);
  }

  @Test
  void noKeyEverAppearsInALogLineOrAnErrorBody() throws IOException {
    Logger log = Logger.getLogger(RunnerRouter.class.getName());
    Level level = log.getLevel();
    List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.setLevel(Level.ALL);
    log.addHandler(capture);
    try {
      startRouter("a");
      String guess = "attacker-guess-" + OTHER_KEY;
      TestHttp.send("GET", router.uri(), "/v1/status", null, "X-API-Key", guess);
      TestHttp.send("GET", router.uri(), "/v1/status", null);
      TestHttp.Reply bad =
          TestHttp.post(router.uri(), "/v1/jobs/submit", "{\"x\":1}", "X-API-Key", KEY);
      assertThat(bad.status()).isEqualTo(400);
      Map<String, String> ids = new LinkedHashMap<>();
      String runner = submitTo("c1", ids);
      runners.get(runner).close(); // a stranded job is logged too
      assertThat(call("GET", "/v1/jobs/" + ids.get("c1")).status()).isEqualTo(502);

      List<String> lines = new ArrayList<>();
      synchronized (records) {
        for (LogRecord record : records) {
          lines.add(new SimpleFormatter().format(record));
        }
      }
      assertThat(lines)
          .anySatisfy(
              line -> assertThat(line).contains("rejected GET /v1/status", "an invalid API key"))
          .anySatisfy(line -> assertThat(line).contains("rejected GET /v1/status", "no API key"))
          .anySatisfy(line -> assertThat(line).contains("is stranded on"))
          .allSatisfy(line -> assertThat(line).doesNotContain(KEY, OTHER_KEY, "attacker-guess"));
      assertThat(bad.body()).doesNotContain(KEY);
    } finally {
      log.removeHandler(capture);
      log.setLevel(level);
    }
  }
}
