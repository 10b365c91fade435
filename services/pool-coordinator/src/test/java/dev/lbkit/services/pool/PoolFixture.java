package dev.lbkit.services.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.testing.TestHttp;
import dev.lbkit.services.pool.worker.ReferenceWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-process reference workers (their jobs run through a {@link JobLedger}) and a coordinator over
 * them, started from options as the jar's {@code main} would; real loopback HTTP throughout.
 */
final class PoolFixture implements AutoCloseable {

  final JobLedger ledger = new JobLedger();
  final List<String> log = new CopyOnWriteArrayList<>();
  private final Path dir;
  private final Map<String, ReferenceWorker> workers = new LinkedHashMap<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Map<String, Object>> allowlist = new ArrayList<>();
  PoolService pool;
  TestHttp http;

  PoolFixture(Path dir) {
    this.dir = dir;
  }

  /** Starts the reference worker {@code name}, taking at most {@code max} jobs at once. */
  ReferenceWorker worker(String name, int max) throws Exception {
    ReferenceWorker worker =
        ReferenceWorker.start(
            ReferenceWorker.OPTIONS.parse(
                new String[] {
                  "--port",
                  "0",
                  "--host",
                  "127.0.0.1",
                  "--key-file",
                  dir.resolve(name + ".pem").toString(),
                  "--max-concurrent-jobs",
                  Integer.toString(max)
                },
                Map.of()),
            ledger.runner(name),
            JsonLog.to(name, line -> {}));
    workers.put(name, worker);
    resources.add(worker);
    return worker;
  }

  ReferenceWorker worker(String name) {
    return workers.get(name);
  }

  /** Allowlists worker {@code name} (started) with cap {@code max}. */
  PoolFixture allow(String name, int max) {
    return allow(endpoint(name), workers.get(name).workerId(), max, null);
  }

  /** Allowlists an endpoint with a worker id, cap and identity check (null: the default). */
  PoolFixture allow(String endpoint, String workerId, int max, String identity) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("endpoint", endpoint);
    entry.put("worker_id", workerId);
    entry.put("max_concurrent_jobs", max);
    if (identity != null) {
      entry.put("identity", identity);
    }
    allowlist.add(entry);
    return this;
  }

  String endpoint(String name) {
    return "http://127.0.0.1:" + workers.get(name).port();
  }

  /**
   * Starts the coordinator over the allowlist, with {@code options} (flag, value pairs) on top of
   * fast test timings: challenges every 0.1 s, status polls every 0.02 s.
   */
  PoolService start(String... options) throws Exception {
    Path file = dir.resolve("workers.json");
    Files.writeString(file, Json.write(Map.of("workers", allowlist)));
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("--workers", file.toString());
    flags.put("--port", "0");
    flags.put("--host", "127.0.0.1");
    flags.put("--health-check-interval", "0.1");
    flags.put("--health-check-timeout", "0.1");
    flags.put("--poll-interval", "0.02");
    for (int i = 0; i + 1 < options.length; i += 2) {
      flags.put(options[i], options[i + 1]); // name, value pairs override the defaults
    }
    List<String> args = new ArrayList<>();
    flags.forEach(
        (name, value) -> {
          args.add(name);
          args.add(value);
        });
    pool =
        PoolService.start(
            PoolOptions.OPTIONS.parse(args.toArray(new String[0]), Map.of()),
            JsonLog.to("pool-coordinator", log::add));
    resources.add(pool);
    http = TestHttp.of(pool.port());
    resources.add(http);
    return pool;
  }

  /** Waits until the coordinator has proven {@code n} workers. */
  void awaitHealthy(int n) {
    Await.until(
        n + " worker(s) proven",
        () ->
            pool.pool().workers().stream().filter(PoolCoordinator.WorkerView::healthy).count() >= n,
        () -> "workers: " + pool.pool().workers());
  }

  /** Submits a job named {@code name} (held until released if it starts with {@code hold}). */
  String submit(String name, String... headers) {
    return submit(Map.of("name", name), headers);
  }

  String submit(Map<String, Object> job, String... headers) {
    TestHttp.Reply reply = http.postJson("/submit", job, headers);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().get("status").asText()).isEqualTo("queued");
    String id = reply.json().get("job_id").asText();
    assertThat(id).startsWith("pool-");
    return id;
  }

  JsonNode status(String jobId, String... headers) {
    TestHttp.Reply reply = http.get("/status/" + jobId, headers);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  String state(String jobId) {
    return status(jobId).get("status").asText();
  }

  void awaitState(String jobId, String state) {
    Await.until(
        jobId + " " + state, () -> state.equals(state(jobId)), () -> "status: " + status(jobId));
  }

  /** The base64 of a job's output, as a job spec takes it. */
  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public void close() throws Exception {
    Collections.reverse(resources);
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }
}
