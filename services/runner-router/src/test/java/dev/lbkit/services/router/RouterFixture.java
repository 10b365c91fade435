package dev.lbkit.services.router;

import dev.lbkit.core.testing.FakeClock;
import dev.lbkit.health.Scheduler;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.testing.TestHttp;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fake runners and a router over them in this JVM: real loopback HTTP, fake wall-clock time for the
 * cache, health rounds only when a test calls {@link RunnerRouter#checkHealth()}.
 */
final class RouterFixture implements AutoCloseable {

  static final String KEY = ApiKeys.DEFAULT_KEY;

  /** A scheduler that never runs what it is given: health rounds run when a test says. */
  static final Scheduler NEVER = (task, delayNanos) -> () -> {};

  final FakeClock clock =
      new FakeClock(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L);
  final Scheduler fakeScheduler =
      (task, delayNanos) -> {
        FakeClock.Scheduled scheduled = clock.schedule(task, Duration.ofNanos(delayNanos));
        return scheduled::cancel;
      };
  final Map<String, FakeRunner> runners = new LinkedHashMap<>();
  final List<String> logLines = new CopyOnWriteArrayList<>();
  final Path cacheDir;
  final Duration requestTimeout;
  RunnerRouter router;
  TestHttp http;
  private final List<AutoCloseable> resources = new ArrayList<>();

  RouterFixture(Path cacheDir, Duration requestTimeout, String... names) throws Exception {
    this.cacheDir = cacheDir;
    this.requestTimeout = requestTimeout;
    for (String name : names) {
      FakeRunner runner = FakeRunner.start(name);
      runners.put(name, runner);
    }
    startRouter();
  }

  /** Starts a router over the runners (again, after {@link #stopRouter()}). */
  void startRouter() throws Exception {
    List<URI> urls = new ArrayList<>();
    runners.values().forEach(r -> urls.add(URI.create(r.url())));
    router =
        RunnerRouter.start(
            new RouterConfig(
                urls,
                0,
                "127.0.0.1",
                cacheDir,
                Duration.ofDays(7),
                Duration.ofHours(1),
                requestTimeout,
                Duration.ofSeconds(3),
                JsonLog.to("runner-router", logLines::add).atLevel("debug"),
                clock,
                NEVER,
                fakeScheduler));
    http = TestHttp.of(router.port());
  }

  void stopRouter() {
    http.close();
    router.close();
  }

  FakeRunner runner(String name) {
    return runners.get(name);
  }

  static Map<String, Object> job(String commit) {
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("repo_url", "https://github.com/acme/app");
    job.put("branch", "main");
    if (commit != null) {
      job.put("commit", commit);
    }
    job.put("path", "tests/");
    job.put("weight_class", "small");
    return job;
  }

  TestHttp.Reply submit(Map<String, Object> job) {
    return http.postJson("/v1/jobs/submit", job, "X-API-Key", KEY);
  }

  TestHttp.Reply get(String path) {
    return http.get(path, "X-API-Key", KEY);
  }

  TestHttp.Reply delete(String path) {
    return http.send(http.builder(path, "X-API-Key", KEY).DELETE());
  }

  /** Gives a runner jobs from elsewhere, straight, not through the router. */
  void backlog(String name, int jobs) {
    try (TestHttp direct = new TestHttp(runner(name).url())) {
      for (int i = 0; i < jobs; i++) {
        if (direct.postJson("/v1/jobs/submit", job("other-" + i)).status() != 200) {
          throw new AssertionError("backlog submit failed");
        }
      }
    }
  }

  /** Submits through the router; returns the name of the runner whose queue grew. */
  String submitTo(String commit, Map<String, String> ids) {
    Map<String, Integer> before = new LinkedHashMap<>();
    runners.forEach((name, runner) -> before.put(name, runner.queueDepth()));
    TestHttp.Reply reply = submit(job(commit));
    if (reply.status() != 200) {
      throw new AssertionError("submit " + commit + ": " + reply.status() + " " + reply.body());
    }
    ids.put(commit, reply.json().get("job_id").asText());
    for (Map.Entry<String, FakeRunner> runner : runners.entrySet()) {
      if (runner.getValue().queueDepth() > before.get(runner.getKey())) {
        return runner.getKey();
      }
    }
    throw new AssertionError("no runner took " + commit);
  }

  @Override
  public void close() throws Exception {
    stopRouter();
    List<AutoCloseable> all = new ArrayList<>(runners.values());
    all.addAll(resources);
    Collections.reverse(all);
    for (AutoCloseable resource : all) {
      resource.close();
    }
  }
}
