package dev.lbkit.services.pool.worker;

import dev.lbkit.services.kit.Exchange;
import dev.lbkit.services.kit.HttpError;
import dev.lbkit.services.kit.HttpService;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Option;
import dev.lbkit.services.kit.Options;
import dev.lbkit.services.kit.ParsedOptions;
import dev.lbkit.services.kit.Reply;
import dev.lbkit.services.kit.Routes;
import dev.lbkit.services.kit.Service;
import dev.lbkit.services.kit.ServiceMain;
import dev.lbkit.services.pool.WorkerIdentity;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The reference worker: a stand-in for a sandrun worker that speaks its asynchronous protocol and
 * the pool's signed health challenge, for tests and demos. It runs no code (see {@link JobSpec}).
 *
 * <pre>
 * java -cp pool-coordinator.jar dev.lbkit.services.pool.worker.ReferenceWorker \
 *     --port 8443 --key-file worker1.pem --max-concurrent-jobs 4
 * </pre>
 *
 * <ul>
 *   <li>{@code POST /submit} with a {@link JobSpec} body: 200 {@code {"job_id": "job-...",
 *       "status": "queued"}}; 400 for a malformed job; 429 when it already has {@code
 *       --max-concurrent-jobs} unfinished jobs (as sandrun refuses).
 *   <li>{@code GET /status/{id}}: {@code {"job_id", "status": "queued" | "running" | "completed" |
 *       "failed", "execution_metadata", "output_files", "worker_metadata"}}, sandrun's shape; 404
 *       for a job it does not know.
 *   <li>{@code GET /outputs/{id}/{path}}: the file's bytes once the job has finished; else 404.
 *   <li>{@code GET /health?nonce=N}: {@code {"status": "healthy", "worker_id": <base64 raw public
 *       key>, "signature": <base64 signature of "lbkit-pool-health-v1:" + the nonce's bytes>,
 *       "active_jobs", "jobs_received", "most_active_jobs", "max_concurrent_jobs"}}; without a
 *       nonce, no signature (what a plain sandrun worker answers).
 * </ul>
 *
 * <p>Its key lives in {@code --key-file} (created on first run, see {@link KeyFile}), so its worker
 * id survives restarts; it logs the id on start. Thread-safe.
 */
public final class ReferenceWorker implements Service {

  private static final Options.Builder B = Options.builder("reference-worker", "WORKER_");

  static final Option<Integer> PORT =
      B.intOption("port", 8443, 0, 65_535, "the HTTP port (0: any free port)");
  static final Option<String> HOST =
      B.stringOption("host", "ADDR", "0.0.0.0", "the address to listen on", h -> h);
  static final Option<String> KEY_FILE =
      B.stringOption(
          "key-file",
          "FILE",
          "worker_key.pem",
          "the worker's Ed25519 private key (PKCS#8 PEM); created on first run",
          k -> k);
  static final Option<Integer> MAX_CONCURRENT_JOBS =
      B.intOption(
          "max-concurrent-jobs",
          4,
          1,
          10_000,
          "the most unfinished jobs it takes; more are refused with 429");
  static final Option<Integer> MAX_BODY_BYTES =
      B.intOption(
          "max-body-bytes", 64 << 20, 1, Integer.MAX_VALUE, "the largest job body it accepts");

  /** The worker's options, for {@code --help} and for tests that start it in-process. */
  public static final Options OPTIONS = B.build();

  /** The most finished jobs it remembers (oldest forgotten first). */
  private static final int KEEP_FINISHED = 10_000;

  private final KeyPair keys;
  private final String workerId;
  private final WorkerJobs jobs;
  private final HttpService http;

  private ReferenceWorker(ParsedOptions options, WorkerJobs.JobRunner runner, JsonLog log)
      throws Exception {
    this.keys = KeyFile.loadOrCreate(Path.of(options.get(KEY_FILE)));
    this.workerId = WorkerIdentity.workerId(keys.getPublic());
    this.jobs =
        new WorkerJobs(options.get(MAX_CONCURRENT_JOBS), KEEP_FINISHED, runner, "reference-worker");
    Routes routes =
        Routes.builder()
            .post("/submit", this::submit)
            .get("/status/{id}", this::status)
            .get("/outputs/{id}/{path...}", this::output)
            .get("/health", this::health)
            .build();
    this.http =
        HttpService.builder("reference-worker", routes)
            .port(options.get(PORT))
            .host(options.get(HOST))
            .maxBodyBytes(options.get(MAX_BODY_BYTES))
            .log(log)
            .onClose("jobs", jobs)
            .build();
    log.info("identity").field("worker_id", workerId).write();
    try {
      http.start();
    } catch (Exception e) {
      jobs.close();
      throw e;
    }
  }

  /** Starts a worker from its options, jobs waiting their {@code sleep_ms}; logs to stdout. */
  public static ReferenceWorker start(ParsedOptions options) throws Exception {
    return new ReferenceWorker(
        options, WorkerJobs.JobRunner.sleeping(), JsonLog.stdout("reference-worker"));
  }

  /** Starts a worker whose jobs run {@code runner} (tests hold jobs with it). */
  public static ReferenceWorker start(
      ParsedOptions options, WorkerJobs.JobRunner runner, JsonLog log) throws Exception {
    return new ReferenceWorker(
        options, Objects.requireNonNull(runner, "runner"), Objects.requireNonNull(log, "log"));
  }

  /** Runs a worker until SIGTERM; {@code --help} lists the options. */
  public static void main(String[] args) {
    ServiceMain.run(OPTIONS, args, ReferenceWorker::start);
  }

  // ---------------------------------------------------------------- endpoints

  private Reply submit(Exchange exchange) throws Exception {
    JobSpec spec;
    try {
      spec = JobSpec.parse(exchange.body());
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(String.valueOf(e.getMessage()));
    }
    Optional<String> id = jobs.submit(spec);
    if (id.isEmpty()) {
      throw new HttpError(
          429,
          "too_many_jobs",
          "this worker runs at most " + jobs.maxConcurrentJobs() + " jobs at once",
          Map.of("Retry-After", "1"));
    }
    exchange.logField("job_id", id.get());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("job_id", id.get());
    body.put("status", "queued");
    return Reply.json(200, body);
  }

  private Reply status(Exchange exchange) {
    String id = exchange.pathParam("id");
    return jobs.status(id, workerId)
        .map(status -> Reply.json(200, status))
        .orElseThrow(() -> HttpError.notFound("job " + id + ": not known here"));
  }

  private Reply output(Exchange exchange) {
    String id = exchange.pathParam("id");
    String path = exchange.pathParam("path");
    return jobs.output(id, path)
        .map(bytes -> Reply.bytes(200, "application/octet-stream", bytes))
        .orElseThrow(() -> HttpError.notFound("job " + id + ": no finished output " + path));
  }

  private Reply health(Exchange exchange) {
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("status", "healthy");
    health.put("worker_id", workerId);
    String encoded = exchange.query("nonce");
    if (encoded != null) {
      byte[] nonce;
      try {
        nonce = Base64.getUrlDecoder().decode(encoded);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("nonce: not base64url");
      }
      if (nonce.length == 0 || nonce.length > WorkerIdentity.NONCE_BYTES) {
        throw HttpError.badRequest(
            "nonce: " + nonce.length + " bytes (expected: 1.." + WorkerIdentity.NONCE_BYTES + ")");
      }
      health.put(
          "signature",
          Base64.getEncoder().encodeToString(WorkerIdentity.sign(keys.getPrivate(), nonce)));
    }
    health.put("active_jobs", jobs.running());
    health.put("jobs_received", jobs.received());
    health.put("most_active_jobs", jobs.mostRunning());
    health.put("max_concurrent_jobs", jobs.maxConcurrentJobs());
    return Reply.json(200, health);
  }

  // ---------------------------------------------------------------- service

  /** Returns its worker id: base64 of its raw Ed25519 public key. */
  public String workerId() {
    return workerId;
  }

  /** Returns its job table (tests read its figures). */
  public WorkerJobs jobs() {
    return jobs;
  }

  @Override
  public int port() {
    return http.port();
  }

  /** Stops it: its HTTP server (requests in flight finish), then its jobs (interrupted). */
  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "ReferenceWorker{port " + port() + ", " + workerId + "}";
  }
}
