package dev.lbkit.examples.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.Server;
import dev.lbkit.examples.http.Await;
import dev.lbkit.examples.http.Exchanges;
import dev.lbkit.examples.http.FakeClock;
import dev.lbkit.examples.http.Json;
import dev.lbkit.examples.http.LoopbackServer;
import dev.lbkit.examples.http.TestHttp;
import dev.lbkit.examples.http.Threads;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.Probe;
import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool coordinator over real loopback HTTP: real {@link PoolWorker}s, a real client, fake time
 * for the health rounds and retry pauses. Waits are bounded and only for loopback I/O.
 */
class PoolCoordinatorTest {

  private static final Duration PAUSE = Duration.ofMinutes(1);
  private static final Duration RARELY = Duration.ofDays(1_000);

  private final FakeClock clock = new FakeClock();
  private final JobGate gate = new JobGate(true);
  private final Map<String, PoolWorker> workers = new LinkedHashMap<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private PoolCoordinator pool;

  @AfterEach
  void closeEverything() throws Exception {
    Collections.reverse(resources);
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  private PoolWorker worker(String name, JobGate jobs) throws IOException {
    PoolWorker worker = PoolWorker.start(name, jobs.on(name));
    workers.put(name, worker);
    resources.add(worker);
    return worker;
  }

  private PoolCoordinator.Builder allowlisting(String... names) {
    PoolCoordinator.Builder builder = PoolCoordinator.builder();
    for (String name : names) {
      builder.worker("127.0.0.1", workers.get(name).port(), workers.get(name).workerId());
    }
    // Probes time out on fake time, but their I/O is real. With rounds 1,000 days apart, the first
    // one falls at a random time within 100 days (the jitter), so practically never within the
    // minutes a test moves the clock on; and with timeout = interval, no probe's deadline passes
    // while its I/O still runs.
    return builder.retryPause(PAUSE).health(RARELY, RARELY).clock(clock, clock);
  }

  /** Starts a coordinator over the named workers (started with {@link #gate}), all proven. */
  private void startPool(int cap, String... names) throws IOException {
    startPool(b -> b.maxConcurrentJobs(cap), names);
    pool.checkHealth();
  }

  private void startPool(UnaryOperator<PoolCoordinator.Builder> options, String... names)
      throws IOException {
    for (String name : names) {
      if (!workers.containsKey(name)) {
        worker(name, gate);
      }
    }
    pool = options.apply(allowlisting(names)).start();
    resources.add(pool);
  }

  private String submit(String payload) {
    TestHttp.Reply reply =
        TestHttp.post(pool.uri(), "/submit", Json.write(Map.of("payload", payload)));
    assertThat(reply.status()).as(reply.body()).isEqualTo(202);
    assertThat(reply.get("status")).isEqualTo("queued");
    return reply.get("job_id");
  }

  private Map<String, Object> status(String jobId) {
    TestHttp.Reply reply = TestHttp.get(pool.uri(), "/status/" + jobId);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private void awaitStatus(String jobId, String state) {
    Await.until(
        jobId + " " + state,
        () -> state.equals(status(jobId).get("status")),
        () -> "status: " + status(jobId));
  }

  /** Waits until {@code jobId} is back in the queue after {@code attempts} failed attempts. */
  private void awaitRequeued(String jobId, long attempts) {
    Await.until(
        jobId + " queued again after " + attempts + " attempt(s)",
        () -> {
          Map<String, Object> status = status(jobId);
          return status.get("status").equals("queued") && status.get("attempts").equals(attempts);
        },
        () -> "status: " + status(jobId));
  }

  private String address(String worker) {
    return "127.0.0.1:" + workers.get(worker).port();
  }

  // ---------------------------------------------------------------- dispatch

  @Test
  void aNewJobGoesToTheWorkerRunningTheFewestJobs() throws IOException {
    startPool(2, "a", "b", "c");
    String j1 = submit("1");
    gate.awaitStarted(j1);
    String j2 = submit("2");
    gate.awaitStarted(j2);
    String j3 = submit("3");
    gate.awaitStarted(j3);
    assertThat(Set.of(gate.workerOf(j1), gate.workerOf(j2), gate.workerOf(j3)))
        .containsExactlyInAnyOrder("a", "b", "c");

    gate.release(j2);
    awaitStatus(j2, "completed");
    String j4 = submit("4"); // two workers run one job each; j2's worker runs none
    gate.awaitStarted(j4);

    assertThat(gate.workerOf(j4)).isEqualTo(gate.workerOf(j2));
    assertThat(status(j4)).containsEntry("worker", address(gate.workerOf(j2)));
  }

  @Test
  void noWorkerRunsMoreThanItsCapAndTheRestWaitInFifoOrder() throws IOException {
    startPool(2, "a", "b");
    List<String> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      jobs.add(submit("job " + i));
    }
    Await.until("four jobs running", () -> gate.started().size() == 4);
    assertThat(gate.started()).containsExactlyInAnyOrderElementsOf(jobs.subList(0, 4));
    assertThat(workers.get("a").activeJobs()).isEqualTo(2);
    assertThat(workers.get("b").activeJobs()).isEqualTo(2);
    assertThat(status(jobs.get(4))).containsEntry("status", "queued").containsEntry("attempts", 0L);
    assertThat(TestHttp.get(pool.uri(), "/pool").body()).startsWith("{\"queued\":2,");

    gate.release(jobs.get(0)); // one slot frees up: the head of the queue takes it
    gate.awaitStarted(jobs.get(4));
    assertThat(gate.workerOf(jobs.get(4))).isEqualTo(gate.workerOf(jobs.get(0)));
    assertThat(status(jobs.get(5))).containsEntry("status", "queued");

    gate.release(jobs.get(1));
    gate.awaitStarted(jobs.get(5));
    jobs.forEach(gate::release);
    for (String job : jobs) {
      awaitStatus(job, "completed");
      assertThat(gate.completions(job)).isEqualTo(1);
    }
    assertThat(gate.mostAtOnce("a")).isEqualTo(2);
    assertThat(gate.mostAtOnce("b")).isEqualTo(2);
  }

  @Test
  void workersAreNotUsedBeforeTheyPassAChallenge() throws IOException {
    startPool(b -> b.maxConcurrentJobs(1), "a"); // no checkHealth(): unproven
    String job = submit("early");

    assertThat(status(job)).containsEntry("status", "queued");
    assertThat(workers.get("a").runs()).isZero();

    pool.checkHealth(); // a passes, turns healthy, and the queue is served
    gate.awaitStarted(job);
    gate.release(job);
    awaitStatus(job, "completed");
  }

  @Test
  void periodicHealthRoundsOnTheSchedulerProveTheWorkers() throws IOException {
    // Timeout = interval, so a probe's deadline (fake time) never passes while its real I/O runs.
    startPool(b -> b.health(Duration.ofSeconds(30), Duration.ofSeconds(30)), "a");
    String job = submit("on schedule");
    assertThat(workers.get("a").healthChecks()).isZero();

    clock.advance(Duration.ofSeconds(3)); // the first round comes within the jitter: 10% of 30 s
    gate.awaitStarted(job);

    assertThat(workers.get("a").healthChecks()).isEqualTo(1);
    gate.release(job);
    awaitStatus(job, "completed");
  }

  // ---------------------------------------------------------------- failures

  @Test
  void aWorkerKilledMidJobLosesTheJobToAnotherWhichCompletesItOnce() throws IOException {
    startPool(1, "a", "b");
    String job = submit("build");
    gate.awaitStarted(job);
    String first = gate.workerOf(job);
    String second = first.equals("a") ? "b" : "a";

    workers.get(first).close(); // dies mid-job: the job is interrupted, its connection drops

    gate.awaitStarts(job, 2);
    assertThat(gate.workersOf(job)).containsExactly(first, second);
    gate.release(job);
    awaitStatus(job, "completed");
    assertThat(status(job))
        .containsEntry("worker", address(second))
        .containsEntry("attempts", 2L)
        .containsEntry("output", "build done by " + second);
    assertThat(gate.completions(job)).isEqualTo(1);
    assertThat(gate.overlaps()).isEmpty();
  }

  @Test
  void aWorkerWhoseJobFailedTakesNoJobUntilItsPauseRunsOut() throws IOException {
    startPool(1, "a", "b");
    String j1 = submit("1");
    gate.awaitStarted(j1);
    String busy = gate.workerOf(j1);
    String flaky = busy.equals("a") ? "b" : "a";
    gate.failNextOn(flaky);

    String j2 = submit("2"); // to the free worker, which fails it: back to the queue's head
    awaitRequeued(j2, 1);
    assertThat(gate.workersOf(j2)).containsExactly(flaky);
    assertThat(TestHttp.get(pool.uri(), "/pool").body())
        .contains(
            "\"address\":\""
                + address(flaky)
                + "\",\"healthy\":true,\"draining\":false,\"paused\":true");

    clock.advance(PAUSE.minusSeconds(1));
    assertThat(status(j2)).containsEntry("status", "queued");

    clock.advance(Duration.ofSeconds(1)); // the pause is over: the queue is served again
    gate.awaitStarts(j2, 2);
    assertThat(gate.workersOf(j2)).containsExactly(flaky, flaky);
    gate.release(j1);
    gate.release(j2);
    awaitStatus(j2, "completed");
    assertThat(status(j2)).containsEntry("attempts", 2L);
  }

  @Test
  void aJobThatFailsOnEveryAttemptFailsVisibly() throws IOException {
    gate.failAlwaysOn("a");
    startPool(b -> b.maxAttempts(2), "a");
    pool.checkHealth();
    String job = submit("doomed");
    awaitRequeued(job, 1);

    clock.advance(PAUSE);
    awaitStatus(job, "failed");

    assertThat(status(job))
        .containsEntry("attempts", 2L)
        .containsEntry("worker", address("a"))
        .extractingByKey("error")
        .asString()
        .startsWith("failed 2 time(s), last on " + address("a"))
        .contains("HTTP 500");
  }

  // ---------------------------------------------------------------- drain

  @Test
  void aDrainingWorkerFinishesItsJobsTakesNoNewOnesAndLeaves() throws Exception {
    startPool(2, "a", "b");
    String j1 = submit("1");
    gate.awaitStarted(j1);
    String draining = gate.workerOf(j1);
    String other = draining.equals("a") ? "b" : "a";

    CompletableFuture<Void> drained = pool.drain(address(draining));
    String j2 = submit("2");
    String j3 = submit("3");
    gate.awaitStarted(j2);
    gate.awaitStarted(j3);
    String j4 = submit("4"); // the other worker is full; the draining one has room but no say

    assertThat(gate.workerOf(j2)).isEqualTo(other);
    assertThat(gate.workerOf(j3)).isEqualTo(other);
    assertThat(status(j4)).containsEntry("status", "queued");
    assertThat(drained).isNotDone();

    gate.release(j1);
    drained.get(10, TimeUnit.SECONDS); // its last job's exchange has ended
    awaitStatus(j1, "completed");
    assertThat(TestHttp.get(pool.uri(), "/pool").body()).doesNotContain(address(draining));

    gate.release(j2);
    gate.awaitStarted(j4);
    assertThat(gate.workerOf(j4)).isEqualTo(other);
    assertThat(workers.get(draining).runs()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  void closeStopsEveryThreadItStartedEvenWithJobsInFlight() throws Exception {
    Set<Thread> before = Threads.live();
    worker("a", gate);
    PoolCoordinator coordinator =
        PoolCoordinator.builder()
            .worker("127.0.0.1", workers.get("a").port(), workers.get("a").workerId())
            .health(Duration.ofSeconds(30), Duration.ofSeconds(30)) // no slow probe fails "a"
            .start(); // the system clock and the coordinator's own timer thread
    pool = coordinator;
    coordinator.checkHealth();
    String done = submit("done");
    gate.release(done);
    awaitStatus(done, "completed");
    String running = submit("running");
    gate.awaitStarted(running);

    coordinator.close();
    coordinator.close(); // idempotent
    workers.get("a").close();

    Threads.awaitNoneBut(before);
    assertThatThrownBy(() -> coordinator.submit("late"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("coordinator: closed (expected: open)");
  }

  // ---------------------------------------------------------------- identity

  /**
   * A server at an allowlisted address that is not the key's holder; counts the jobs sent to it.
   */
  private LoopbackServer impostor(String claimedId, Function<byte[], String> signature)
      throws IOException {
    LoopbackServer impostor =
        LoopbackServer.start(
            "impostor",
            exchange -> {
              if (exchange.getRequestURI().getPath().equals("/health")) {
                byte[] nonce =
                    Base64.getUrlDecoder()
                        .decode(Exchanges.queryParameters(exchange).getOrDefault("nonce", ""));
                Exchanges.respond(
                    exchange,
                    200,
                    Map.of(
                        "status",
                        "healthy",
                        "worker_id",
                        claimedId,
                        "signature",
                        signature.apply(nonce),
                        "active_jobs",
                        0));
              } else {
                impostorRuns.increment();
                Exchanges.respond(exchange, 200, Map.of("job_id", "x", "output", "forged"));
              }
            });
    resources.add(impostor);
    return impostor;
  }

  private final LongAdder impostorRuns = new LongAdder();

  /**
   * Starts a coordinator over the honest worker "real" and an impostor claiming to be "victim",
   * whose address is allowlisted with the victim's key; runs jobs and checks that every one ran on
   * the honest worker.
   */
  private void assertNeverUsed(int impostorPort, String victimId) throws IOException {
    JobGate instant = new JobGate(false);
    worker("real", instant);
    pool =
        PoolCoordinator.builder()
            .worker("127.0.0.1", impostorPort, victimId)
            .worker("127.0.0.1", workers.get("real").port(), workers.get("real").workerId())
            .health(RARELY, RARELY)
            .clock(clock, clock)
            .start();
    resources.add(pool);
    for (int round = 0; round < 3; round++) {
      pool.checkHealth();
    }
    List<String> jobs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      jobs.add(submit("job " + i));
    }
    for (String job : jobs) {
      awaitStatus(job, "completed");
      assertThat(status(job)).containsEntry("worker", address("real"));
    }
    assertThat(TestHttp.get(pool.uri(), "/pool").body())
        .contains("{\"address\":\"127.0.0.1:" + impostorPort + "\",\"healthy\":false");
  }

  @Test
  void anImpostorEchoingAnAllowlistedIdButSigningWithAnotherKeyIsNeverUsed() throws Exception {
    String victimId = WorkerIdentity.workerId(WorkerIdentity.generate().getPublic());
    KeyPair own = WorkerIdentity.generate();
    LoopbackServer impostor =
        impostor(
            victimId,
            nonce ->
                Base64.getEncoder().encodeToString(WorkerIdentity.sign(own.getPrivate(), nonce)));

    // The seed's check, the worker_id in the /health body, would have taken it:
    try (HealthChecker idOnly =
        HealthChecker.builder()
            .probe(Probe.http("/health", body -> body.contains(victimId)))
            .build()) {
      assertThat(idOnly.check(new Server("127.0.0.1", impostor.port()))).isTrue();
    }

    assertNeverUsed(impostor.port(), victimId);
    assertThat(impostorRuns.sum()).isZero();
  }

  @Test
  void anImpostorReplayingARecordedSignatureIsNeverUsed() throws Exception {
    PoolWorker victim = worker("victim", gate);
    String recordedNonce = Base64.getUrlEncoder().encodeToString(new byte[32]);
    String recorded =
        TestHttp.get(
                URI.create("http://127.0.0.1:" + victim.port()), "/health?nonce=" + recordedNonce)
            .get("signature");
    LoopbackServer impostor = impostor(victim.workerId(), nonce -> recorded);

    assertNeverUsed(impostor.port(), victim.workerId());
    assertThat(impostorRuns.sum()).isZero();
  }

  @Test
  void aWorkerAnsweringWithAnotherIdThanItsAddressIsAllowlistedForIsNeverUsed() throws Exception {
    PoolWorker stranger = worker("stranger", gate); // signs validly, but as itself
    String expectedId = WorkerIdentity.workerId(WorkerIdentity.generate().getPublic());

    assertNeverUsed(stranger.port(), expectedId);
    assertThat(stranger.runs()).isZero();
    assertThat(stranger.healthChecks()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- HTTP API and bad input

  @Test
  void theHttpApiAnswersBadRequestsClearly() throws IOException {
    startPool(1, "a");
    URI uri = pool.uri();

    TestHttp.Reply noPayload = TestHttp.post(uri, "/submit", "{\"payload\": 7}");
    assertThat(noPayload.status()).isEqualTo(400);
    assertThat(noPayload.get("error")).isEqualTo("payload: a Long (expected: a string)");
    assertThat(TestHttp.post(uri, "/submit", "not json").status()).isEqualTo(400);
    TestHttp.Reply unknownJob = TestHttp.get(uri, "/status/pool-nope");
    assertThat(unknownJob.status()).isEqualTo(404);
    assertThat(unknownJob.get("error")).isEqualTo("unknown job: pool-nope");
    assertThat(TestHttp.get(uri, "/nope").status()).isEqualTo(404);
    assertThat(TestHttp.get(uri, "/submit").status()).isEqualTo(404);
    TestHttp.Reply unknownWorker = TestHttp.post(uri, "/pool/workers/10.9.9.9:1/drain", "");
    assertThat(unknownWorker.status()).isEqualTo(404);
    assertThat(unknownWorker.get("error")).isEqualTo("unknown worker: 10.9.9.9:1");
    assertThatThrownBy(() -> pool.drain("10.9.9.9:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("address: '10.9.9.9:1' (expected: one of [" + address("a") + "])");
    assertThat(pool.status("pool-nope")).isEmpty();

    TestHttp.Reply drain = TestHttp.post(uri, "/pool/workers/" + address("a") + "/drain", "");
    assertThat(drain.status()).isEqualTo(202);
    assertThat(drain.json())
        .containsEntry("worker", address("a"))
        .containsEntry("status", "draining");
    assertThat(TestHttp.get(uri, "/pool").body()).isEqualTo("{\"queued\":0,\"workers\":[]}");
  }

  @Test
  void theBuilderRejectsBadInputNamingTheArgumentAndValue() throws IOException {
    PoolCoordinator.Builder builder = PoolCoordinator.builder();
    assertThatThrownBy(() -> builder.maxConcurrentJobs(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentJobs: 0 (expected: >= 1)");
    assertThatThrownBy(() -> builder.maxAttempts(-1))
        .hasMessage("maxAttempts: -1 (expected: >= 1)");
    assertThatThrownBy(() -> builder.retryPause(Duration.ZERO))
        .hasMessage("retryPause: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.health(Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .hasMessage("timeout: PT2S (expected: <= interval PT1S)");
    assertThatThrownBy(() -> builder.worker("127.0.0.1", 9000, "not-a-key"))
        .hasMessage("workerId: 'not-a-key' (expected: a base64 X.509 Ed25519 public key)");
    String id = WorkerIdentity.workerId(WorkerIdentity.generate().getPublic());
    assertThatThrownBy(() -> builder.worker("127.0.0.1", 0, id))
        .hasMessage("port: 0 (expected: 1..65535)");
    assertThatThrownBy(builder::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("workers: none (expected: at least one)");
    builder.worker("127.0.0.1", 9000, id);
    assertThatThrownBy(() -> builder.worker("127.0.0.1", 9000, id))
        .hasMessage("worker: 127.0.0.1:9000 (expected: listed once)");
  }
}
