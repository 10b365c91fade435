package dev.lbkit.services.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the coordinator places, holds and moves jobs, over real in-process reference workers whose
 * jobs a {@link JobLedger} holds until released. The two defects of the issue are the last two
 * tests.
 */
class PoolDispatchTest {

  @TempDir Path dir;
  private PoolFixture fixture;

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  /**
   * Workers checked only when the test says so: a periodic round (every hour, the first within the
   * first 6 minutes) practically never falls within a test.
   */
  private PoolFixture provenPool(Map<String, Integer> caps) throws Exception {
    fixture = new PoolFixture(dir);
    for (Map.Entry<String, Integer> worker : caps.entrySet()) {
      fixture.worker(worker.getKey(), worker.getValue());
      fixture.allow(worker.getKey(), worker.getValue());
    }
    fixture.start("--health-check-interval", "3600", "--health-check-timeout", "30");
    fixture.pool.pool().checkHealth();
    fixture.awaitHealthy(caps.size());
    return fixture;
  }

  private JsonNode workerInPool(String endpoint) {
    for (JsonNode worker : fixture.http.get("/pool").json().get("workers")) {
      if (worker.get("endpoint").asText().equals(endpoint)) {
        return worker;
      }
    }
    throw new AssertionError(endpoint + " not in /pool");
  }

  @Test
  void jobsGoToTheLeastLoadedWorkerUnderItsOwnCapAndTheRestWaitInFifoOrder() throws Exception {
    PoolFixture f = provenPool(Map.of("a", 2, "b", 1));
    String first = f.submit("hold-1");
    f.ledger.awaitStarted("hold-1");
    f.submit("hold-2");
    f.ledger.awaitStarted("hold-2");
    assertThat(Set.of(f.ledger.workerOf("hold-1"), f.ledger.workerOf("hold-2")))
        .containsExactlyInAnyOrder("a", "b"); // the second went to the idle worker
    f.submit("hold-3");
    String fourth = f.submit("hold-4");
    String fifth = f.submit("hold-5");

    Await.until("three jobs running", () -> f.ledger.started() == 3);
    assertThat(f.ledger.activeOn("a")).isEqualTo(2);
    assertThat(f.ledger.activeOn("b")).isEqualTo(1);
    assertThat(f.state(fourth)).isEqualTo("queued");
    assertThat(f.state(fifth)).isEqualTo("queued");
    assertThat(f.http.get("/pool").json().get("queued_jobs").asInt()).isEqualTo(2);
    assertThat(f.state(first)).isIn("dispatched", "running");
    f.awaitState(first, "running");

    String onB =
        Stream.of("hold-1", "hold-2", "hold-3")
            .filter(job -> f.ledger.workerOf(job).equals("b"))
            .findFirst()
            .orElseThrow();
    f.ledger.release(onB); // b frees up: the head of the queue, hold-4, takes it
    f.ledger.awaitStarted("hold-4");
    assertThat(f.ledger.workerOf("hold-4")).isEqualTo("b");
    assertThat(f.state(fifth)).isEqualTo("queued");

    List<String> all = List.of("hold-1", "hold-2", "hold-3", "hold-4", "hold-5");
    all.forEach(f.ledger::release);
    f.awaitState(fifth, "completed");
    f.awaitState(fourth, "completed");
    assertThat(f.ledger.mostAtOnce("a")).isEqualTo(2);
    assertThat(f.ledger.mostAtOnce("b")).isEqualTo(1);
    assertThat(f.ledger.overlaps()).isEmpty();
    for (String job : all) {
      assertThat(f.ledger.workersOf(job)).hasSize(1);
    }
  }

  @Test
  void aJobsStatusShowsItsWorkerAndTheWorkersOwnAnswer() throws Exception {
    PoolFixture f = provenPool(Map.of("a", 1));
    String job = f.submit("hold-x");
    f.awaitState(job, "running");

    JsonNode running = f.status(job);
    assertThat(running.get("pool_status").asText()).isEqualTo("running");
    assertThat(running.get("worker_endpoint").asText()).isEqualTo(f.endpoint("a"));
    assertThat(running.get("worker_id").asText()).isEqualTo(f.worker("a").workerId());
    assertThat(running.get("worker_status").get("status").asText()).isEqualTo("running");
    assertThat(running.get("worker_status").get("job_id").asText())
        .isEqualTo(running.get("remote_job_id").asText());
    assertThat(running.get("completed_at").isNull()).isTrue();

    f.ledger.release("hold-x");
    f.awaitState(job, "completed");
    JsonNode done = f.status(job);
    assertThat(done.get("attempts").asInt()).isEqualTo(1);
    assertThat(done.get("completed_at").asDouble())
        .isGreaterThanOrEqualTo(done.get("submitted_at").asDouble());
  }

  @Test
  void aDrainingWorkerFinishesItsJobsTakesNoNewOnesAndLeaves() throws Exception {
    PoolFixture f = provenPool(Map.of("a", 1, "b", 1));
    f.submit("hold-1");
    f.ledger.awaitStarted("hold-1");
    String draining = f.ledger.workerOf("hold-1");
    String other = draining.equals("a") ? "b" : "a";

    var reply = f.http.postJson("/pool/drain", Map.of("endpoint", f.endpoint(draining)));
    assertThat(reply.status()).as(reply.body()).isEqualTo(202);
    assertThat(workerInPool(f.endpoint(draining)).get("draining").asBoolean()).isTrue();
    f.submit("hold-2");
    f.ledger.awaitStarted("hold-2");
    String third = f.submit("hold-3");

    assertThat(f.ledger.workerOf("hold-2")).isEqualTo(other);
    assertThat(f.state(third)).isEqualTo("queued");

    f.ledger.release("hold-1");
    Await.until(
        draining + " has left the pool",
        () -> f.http.get("/pool").json().get("workers").size() == 1);
    f.ledger.release("hold-2");
    f.ledger.awaitStarted("hold-3");
    assertThat(f.ledger.workerOf("hold-3")).isEqualTo(other);
    f.ledger.release("hold-3");
    f.awaitState(third, "completed");
  }

  // ---------------------------------------------------------------- the two defects

  /**
   * Defect 1: a worker killed while the others are busy. The job it ran must wait for a live worker
   * (however many health rounds and status polls pass), never go back to the dead one, and complete
   * once a live worker frees up.
   */
  @Test
  void aJobWhoseWorkerIsKilledWhileTheOthersAreBusyWaitsAndCompletesOnALiveWorker()
      throws Exception {
    PoolFixture f = provenPool(Map.of("a", 1, "b", 1, "c", 1));
    String job = f.submit("hold-victim");
    f.ledger.awaitStarted("hold-victim");
    f.submit("hold-busy-1");
    f.submit("hold-busy-2");
    f.ledger.awaitStarted("hold-busy-1");
    f.ledger.awaitStarted("hold-busy-2");
    String dead = f.ledger.workerOf("hold-victim");
    String deadEndpoint = f.endpoint(dead);

    f.worker(dead).close(); // killed mid-job; the other two stay busy

    Await.until(
        job + " back in the queue",
        () -> f.state(job).equals("queued"),
        () -> "status: " + f.status(job));
    for (int round = 0; round < 5; round++) {
      f.pool.pool().checkHealth(); // the dead worker fails every challenge; the others pass
    }
    JsonNode waiting = f.status(job);
    assertThat(waiting.get("status").asText()).isEqualTo("queued");
    assertThat(waiting.get("attempts").asInt()).isEqualTo(1);
    assertThat(waiting.get("error").asText()).startsWith(deadEndpoint + " failed it:");
    JsonNode deadView = workerInPool(deadEndpoint);
    assertThat(deadView.get("is_healthy").asBoolean()).isFalse();
    assertThat(deadView.get("jobs_started").asLong()).isEqualTo(1); // never sent it again
    assertThat(deadView.get("failures").asLong()).isEqualTo(1);

    f.ledger.release("hold-busy-1"); // a live worker frees up
    f.ledger.awaitStarts("hold-victim", 2);
    String live = f.ledger.workerOf("hold-victim");
    assertThat(live).isNotEqualTo(dead);
    f.ledger.release("hold-victim");
    f.awaitState(job, "completed");
    JsonNode done = f.status(job);
    assertThat(done.get("attempts").asInt()).isEqualTo(2);
    assertThat(done.get("worker_endpoint").asText()).isEqualTo(f.endpoint(live));
    assertThat(f.ledger.workersOf("hold-victim")).containsExactly(dead, live);
    assertThat(f.ledger.overlaps()).isEmpty();
  }

  /**
   * Defect 2: a job whose own code fails. It fails; its worker is no worse for it and takes the
   * next job at once (here no health round could bring back a benched worker).
   */
  @Test
  void aJobThatFailsByItsOwnDoingFailsAloneAndItsWorkerTakesTheNextJobAtOnce() throws Exception {
    PoolFixture f = provenPool(Map.of("a", 1, "b", 1));
    String bad = f.submit(Map.of("name", "bad", "exit_code", 1));
    f.awaitState(bad, "failed");
    JsonNode failed = f.status(bad);
    assertThat(failed.get("error").asText()).isEqualTo("the job failed on its worker");
    assertThat(failed.get("worker_status").get("execution_metadata").get("exit_code").asInt())
        .isEqualTo(1);
    assertThat(failed.get("attempts").asInt()).isEqualTo(1);
    String worker = f.ledger.workerOf("bad");

    String malformed = f.submit(Map.of("name", "malformed", "exit_code", "one"));
    f.awaitState(malformed, "failed");
    assertThat(f.status(malformed).get("error").asText())
        .startsWith("the worker refused the job: HTTP 400");

    List<String> next = new ArrayList<>();
    next.add(f.submit("hold-next-1"));
    next.add(f.submit("hold-next-2"));
    f.ledger.awaitStarted("hold-next-1");
    f.ledger.awaitStarted("hold-next-2"); // both workers took one: neither was benched
    assertThat(Set.of(f.ledger.workerOf("hold-next-1"), f.ledger.workerOf("hold-next-2")))
        .containsExactlyInAnyOrder("a", "b");
    for (String name : List.of("a", "b")) {
      JsonNode view = workerInPool(f.endpoint(name));
      assertThat(view.get("is_healthy").asBoolean()).as(name).isTrue();
      assertThat(view.get("failures").asLong()).as(name).isZero();
    }
    assertThat(f.ledger.workersOf("bad")).containsExactly(worker); // not retried elsewhere
    f.ledger.release("hold-next-1");
    f.ledger.release("hold-next-2");
    for (String job : next) {
      f.awaitState(job, "completed");
    }
  }
}
