package dev.lbkit.services.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.TestHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** New jobs by queue depth, stickiness, failover and a hung runner, over real loopback HTTP. */
class RoutingTest {

  @TempDir Path dir;
  private RouterFixture f;

  @AfterEach
  void close() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void aNewJobGoesToTheHealthyRunnerWithTheLowestReportedQueueDepth() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a", "b", "c");
    f.backlog("a", 5);
    f.backlog("b", 1);
    f.backlog("c", 3);
    f.router.checkHealth(); // the probes read depths 5, 1 and 3

    Map<String, String> ids = new LinkedHashMap<>();
    assertThat(f.submitTo("c1", ids)).isEqualTo("b");
    assertThat(f.submitTo("c2", ids)).isEqualTo("b"); // b: 1 + 1 sent since the probe
    assertThat(f.submitTo("c3", ids)).isIn("b", "c"); // b: 1 + 2, c: 3, a: 5

    f.backlog("c", 4); // c: 7 or 8 now, b: 3 or 4, a: 5
    f.backlog("b", 4); // b: 7 or 8
    f.router.checkHealth();
    assertThat(f.submitTo("c4", ids)).isEqualTo("a");
    assertThat(f.get("/v1/status").body())
        .contains("\"id\":\"127.0.0.1:" + f.runner("c").port() + "\",\"healthy\":true");
  }

  @Test
  void everyRequestOfAJobGoesToTheRunnerThatTookIt() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a", "b", "c");
    Map<String, String> ids = new LinkedHashMap<>();
    String owner = f.submitTo("c1", ids);
    String id = ids.get("c1");
    assertThat(id).startsWith("job_");
    f.backlog(owner, 5); // new jobs would now go elsewhere
    f.router.checkHealth();
    Map<String, Long> before = new LinkedHashMap<>();
    f.runners.forEach((name, runner) -> before.put(name, runner.jobRequests()));

    for (int i = 0; i < 3; i++) {
      TestHttp.Reply status = f.get("/v1/jobs/" + id);
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.json().get("job_id").asText()).isEqualTo(id);
      assertThat(status.json().get("status").asText()).isEqualTo("queued");
      assertThat(status.json().get("from_cache").asBoolean()).isFalse();
      assertThat(f.get("/v1/jobs/" + id + "/metrics").json().get("status").asText())
          .isEqualTo("queued");
    }
    f.runner(owner).completeAll();
    TestHttp.Reply metrics = f.get("/v1/jobs/" + id + "/metrics");
    assertThat(metrics.json().get("status").asText()).isEqualTo("completed");
    assertThat(metrics.json().has("score")).isTrue();
    assertThat(f.delete("/v1/jobs/" + id).json().get("status").asText()).isEqualTo("cancelled");

    f.runners.forEach(
        (name, runner) ->
            assertThat(runner.jobRequests() - before.get(name))
                .as("job requests on %s", name)
                .isEqualTo(name.equals(owner) ? 8 : 0));
    assertThat(f.get("/v1/jobs/" + id).status()).isEqualTo(404); // cancelled: forgotten
  }

  @Test
  void whenARunnerDiesItsJobsGetAClearErrorAndNewJobsFailOver() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a", "b");
    Map<String, String> ids = new LinkedHashMap<>();
    String dead = f.submitTo("stranded", ids);
    String alive = dead.equals("a") ? "b" : "a";
    String stranded = ids.get("stranded");
    f.backlog(alive, 5);
    f.router.checkHealth(); // the dying runner reports the lower depth: new jobs prefer it

    f.runner(dead).close();

    TestHttp.Reply lost = f.get("/v1/jobs/" + stranded); // its runner still looks healthy
    assertThat(lost.status()).isEqualTo(502);
    assertThat(lost.json().get("message").asText())
        .startsWith("job " + stranded + " is stranded: the runner that took it")
        .endsWith("is unavailable; submit the job again");
    Map<String, String> more = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      TestHttp.Reply reply = f.submit(RouterFixture.job("new-" + i)); // tried on the dead one
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
      more.put("new-" + i, reply.json().get("job_id").asText());
    }
    assertThat(f.runner(alive).queueDepth()).isEqualTo(5 + 3);

    f.router.checkHealth();
    f.router.checkHealth(); // two failed probes: unhealthy
    assertThat(f.get("/v1/jobs/" + stranded + "/metrics").json().get("message").asText())
        .startsWith("job " + stranded + " is stranded");
    TestHttp.Reply health = f.http.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("healthy_runners").asLong()).isEqualTo(1);
    assertThat(health.json().get("runners").asLong()).isEqualTo(2);

    f.runner(alive).close();
    f.router.checkHealth();
    f.router.checkHealth();
    TestHttp.Reply none = f.submit(RouterFixture.job("nowhere"));
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.json().get("error").asText()).isEqualTo("no_runner_available");
    assertThat(f.http.get("/v1/health").status()).isEqualTo(503);
  }

  @Test
  void aRunnerThatHangsOnSubmitIsAvoidedAfterABoundedNumberOfSlowSubmits() throws Exception {
    f = new RouterFixture(dir, Duration.ofMillis(500), "a", "b", "hung");
    f.backlog("a", 2);
    f.backlog("b", 2);
    f.runner("hung").hangOnSubmit(true);
    f.router.checkHealth(); // hung reports depth 0 and passes every health check

    for (int i = 0; i < 8; i++) {
      TestHttp.Reply reply = f.submit(RouterFixture.job("job-" + i));
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    // two slow submits eject it (two failures in a row); every job landed elsewhere
    assertThat(f.runner("hung").submits()).isEqualTo(2);
    assertThat(f.runner("a").queueDepth() + f.runner("b").queueDepth()).isEqualTo(4 + 8);
    assertThat(f.get("/v1/status").body()).contains("\"ejected\":true");
    assertThat(f.logLines).anySatisfy(line -> assertThat(line).contains("runner_ejected"));
  }
}
