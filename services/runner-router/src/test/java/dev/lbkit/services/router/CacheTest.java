package dev.lbkit.services.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.TestHttp;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result cache: hits, a restart, expiry on fake time, and commits resolved with git. */
class CacheTest {

  @TempDir Path dir;
  private RouterFixture f;

  @AfterEach
  void close() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  /** Runs job {@code commit} to completion through the router; returns its score. */
  private double complete(Map<String, Object> job) {
    TestHttp.Reply submitted = f.submit(job);
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    String id = submitted.json().get("job_id").asText();
    f.runners.values().forEach(FakeRunner::completeAll);
    TestHttp.Reply metrics = f.get("/v1/jobs/" + id + "/metrics");
    assertThat(metrics.json().get("status").asText()).isEqualTo("completed");
    return metrics.json().get("score").asDouble();
  }

  private long allJobRequests() {
    return f.runners.values().stream().mapToLong(FakeRunner::jobRequests).sum();
  }

  @Test
  void aCacheHitIsAnsweredWithoutARunnerAndSurvivesARestart() throws Exception {
    f = new RouterFixture(dir.resolve("cache"), Duration.ofSeconds(5), "a", "b");
    double score = complete(RouterFixture.job("c1"));
    long before = allJobRequests();

    TestHttp.Reply hit = f.submit(RouterFixture.job("c1"));
    assertThat(hit.status()).isEqualTo(200);
    assertThat(hit.json().get("status").asText()).isEqualTo("completed");
    assertThat(hit.json().get("from_cache").asBoolean()).isTrue();
    assertThat(hit.json().get("score").asDouble()).isEqualTo(score);
    String cached = hit.json().get("job_id").asText();
    assertThat(cached).startsWith("cache_");
    assertThat(f.get("/v1/jobs/" + cached).json().get("from_cache").asBoolean()).isTrue();
    assertThat(f.get("/v1/jobs/" + cached + "/metrics").json().get("score").asDouble())
        .isEqualTo(score);
    assertThat(allJobRequests()).isEqualTo(before);
    assertThat(f.get("/v1/stats").json().get("cache_hits").asLong()).isEqualTo(1);
    assertThat(f.get("/v1/cache/entries").json().get("count").asInt()).isEqualTo(1);

    f.stopRouter();
    f.startRouter(); // a new process would read the same cache.db

    TestHttp.Reply afterRestart = f.submit(RouterFixture.job("c1"));
    assertThat(afterRestart.json().get("from_cache").asBoolean()).isTrue();
    assertThat(afterRestart.json().get("score").asDouble()).isEqualTo(score);
    assertThat(f.get("/v1/jobs/" + cached).status()).isEqualTo(200); // the job table, too
    assertThat(allJobRequests()).isEqualTo(before);
    assertThat(Files.exists(dir.resolve("cache").resolve("cache.db"))).isTrue();
  }

  @Test
  void aJobInFlightKeepsItsRunnerAcrossARestart() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a", "b", "c");
    Map<String, String> ids = new LinkedHashMap<>();
    String owner = f.submitTo("c1", ids);
    f.stopRouter();
    f.startRouter();
    long before = f.runner(owner).jobRequests();
    assertThat(f.get("/v1/jobs/" + ids.get("c1")).json().get("status").asText())
        .isEqualTo("queued");
    assertThat(f.runner(owner).jobRequests()).isEqualTo(before + 1);
  }

  @Test
  void resultsExpireAfterTheTtlAndTheHourlyRoundDeletesThem() throws Exception {
    f = new RouterFixture(dir, Duration.ofSeconds(5), "a");
    complete(RouterFixture.job("c1"));
    assertThat(f.submit(RouterFixture.job("c1")).json().get("from_cache").asBoolean()).isTrue();

    f.clock.advance(Duration.ofDays(6).plusHours(23)); // the hourly rounds run; nothing expired
    assertThat(f.get("/v1/cache/entries").json().get("count").asInt()).isEqualTo(1);
    assertThat(f.submit(RouterFixture.job("c1")).json().get("from_cache").asBoolean()).isTrue();

    f.clock.advance(Duration.ofHours(1)); // 7 days: expired, and the round at that hour purges
    assertThat(f.get("/v1/cache/entries").json().get("count").asInt()).isZero();
    assertThat(f.logLines)
        .anySatisfy(line -> assertThat(line).contains("\"action\":\"expired\"", "\"results\":1"));
    assertThat(f.submit(RouterFixture.job("c1")).json().get("from_cache").asBoolean()).isFalse();
  }

  // ---------------------------------------------------------------- commit resolution

  /** Creates a bare repository with one commit on {@code main}; returns the commit's id. */
  private static String bareRepository(Path bare, Path work) throws Exception {
    try (Git init =
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call()) {
      // created
    }
    try (Git clone =
        Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(work.toFile()).call()) {
      Files.writeString(work.resolve("README.md"), "hello\n");
      clone.add().addFilepattern("README.md").call();
      RevCommit commit =
          clone
              .commit()
              .setMessage("first")
              .setAuthor("t", "t@example.com")
              .setCommitter("t", "t@example.com")
              .call();
      clone.push().setRemote("origin").add("HEAD:refs/heads/main").call();
      return commit.getName();
    }
  }

  @Test
  void aMissingCommitIsResolvedFromTheRepository() throws Exception {
    String head = bareRepository(dir.resolve("repo.git"), dir.resolve("work"));
    f = new RouterFixture(dir.resolve("cache"), Duration.ofSeconds(5), "a");
    Map<String, Object> job = RouterFixture.job(null);
    job.put("repo_url", dir.resolve("repo.git").toUri().toString());

    complete(job);

    TestHttp.Reply entries = f.get("/v1/cache/entries");
    assertThat(entries.json().get("entries").get(0).get("commit").asText()).isEqualTo(head);
    Map<String, Object> explicit = new LinkedHashMap<>(job);
    explicit.put("commit", head); // the same key as the resolved one: a hit
    assertThat(f.submit(explicit).json().get("from_cache").asBoolean()).isTrue();

    Map<String, Object> noBranch = new LinkedHashMap<>(job);
    noBranch.put("branch", "nope");
    TestHttp.Reply missing = f.submit(noBranch);
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("message").asText()).startsWith("branch: 'nope' (expected:");
  }

  @Test
  void anUnreachableOrSilentRemoteIsAClear502() throws Exception {
    f = new RouterFixture(dir.resolve("cache"), Duration.ofSeconds(5), "a");
    Map<String, Object> gone = RouterFixture.job(null);
    gone.put("repo_url", dir.resolve("no-such-repo.git").toUri().toString());
    TestHttp.Reply unreachable = f.submit(gone);
    assertThat(unreachable.status()).isEqualTo(502);
    assertThat(unreachable.json().get("message").asText())
        .startsWith("git ls-remote " + gone.get("repo_url") + " failed")
        .endsWith("send the commit");

    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0)) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept()); // never answers
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      Map<String, Object> hangs = RouterFixture.job(null);
      hangs.put("repo_url", "http://user:s3cret@127.0.0.1:" + silent.getLocalPort() + "/repo.git");
      TestHttp.Reply timedOut = f.submit(hangs);
      assertThat(timedOut.status()).isEqualTo(502);
      assertThat(timedOut.json().get("message").asText())
          .contains("did not answer within PT3S")
          .doesNotContain("s3cret");
    } finally {
      for (Socket socket : accepted) {
        socket.close();
      }
    }
    assertThat(f.runner("a").submits()).isZero();
    assertThat(f.logLines).noneSatisfy(line -> assertThat(line).contains("s3cret"));
  }
}
