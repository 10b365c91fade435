package dev.lbkit.services.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.core.Server;
import dev.lbkit.services.forward.AccessLog;
import dev.lbkit.services.forward.Forwarded;
import dev.lbkit.services.kit.Exchange;
import dev.lbkit.services.kit.HttpError;
import dev.lbkit.services.kit.HttpService;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.ParsedOptions;
import dev.lbkit.services.kit.Reply;
import dev.lbkit.services.kit.Routes;
import dev.lbkit.services.kit.Service;
import dev.lbkit.services.kit.ServiceMain;
import dev.lbkit.services.kit.Tokens;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The pool coordinator's HTTP service (seed 002): the seed's endpoints on the service kit, in front
 * of a {@link PoolCoordinator}.
 *
 * <ul>
 *   <li>{@code POST /submit}: any body (as a worker's {@code /submit} takes it: sandrun's multipart
 *       upload, say), queued as it is; 200 {@code {"job_id": "pool-<uuid>", "status": "queued"}}.
 *   <li>{@code GET /status/{job_id}}: the job as the coordinator knows it ({@code status}: {@code
 *       queued}, {@code dispatched}, {@code running}, {@code completed} or {@code failed}), with
 *       its worker's own {@code /status} answer, asked for now, as {@code worker_status}.
 *   <li>{@code GET /outputs/{job_id}/{path}}: the file, streamed from the job's worker (its own job
 *       id in the path) through the shared HTTP forwarder.
 *   <li>{@code GET /pool}: the queue and every worker (identity, health, load, cap).
 *   <li>{@code POST /pool/drain} {@code {"worker_id": ...}} or {@code {"endpoint": ...}}: the
 *       worker takes no new jobs and leaves the pool once its jobs are done; 202.
 * </ul>
 *
 * With {@code --client-token} the first three need {@code Authorization: Bearer <token>}; with
 * {@code --admin-token} the last two need that token. Tokens are compared in constant time (as
 * SHA-256 digests), never logged, and never forwarded to a worker.
 *
 * <pre>
 * java -jar pool-coordinator.jar --workers workers.json --port 9000 --health-check-interval 30
 * </pre>
 */
public final class PoolService implements Service {

  private final PoolCoordinator pool;
  private final HttpService http;
  private final @Nullable String clientTokenSha256;
  private final @Nullable String adminTokenSha256;
  private final long requestTimeoutMillis;

  private PoolService(ParsedOptions options, JsonLog log) throws Exception {
    Path workersFile = Path.of(options.get(PoolOptions.WORKERS));
    List<WorkerSpec> workers = WorkersFile.load(workersFile);
    PoolCoordinator.Settings settings = PoolOptions.settings(options);
    this.requestTimeoutMillis = settings.requestTimeout().toMillis();
    this.clientTokenSha256 =
        options.find(PoolOptions.CLIENT_TOKEN).map(Tokens::sha256Hex).orElse(null);
    this.adminTokenSha256 =
        options.find(PoolOptions.ADMIN_TOKEN).map(Tokens::sha256Hex).orElse(null);
    this.pool = PoolCoordinator.start(workers, settings, accessLog(log));
    Routes routes =
        Routes.builder()
            .post("/submit", this::submit)
            .get("/status/{job_id}", this::status)
            .get("/outputs/{job_id}/{path...}", this::output)
            .get("/pool", this::poolStatus)
            .post("/pool/drain", this::drain)
            .build();
    this.http =
        HttpService.builder("pool-coordinator", routes)
            .port(options.get(PoolOptions.PORT))
            .host(options.get(PoolOptions.HOST))
            .maxBodyBytes(options.get(PoolOptions.MAX_BODY_BYTES))
            .log(log)
            .onClose("pool", pool)
            .build();
    try {
      http.start();
    } catch (Exception e) {
      pool.close();
      throw e;
    }
    for (WorkerSpec worker : workers) {
      log.info("allowlisted")
          .field("endpoint", worker.endpoint().toString())
          .field("worker_id", worker.workerId())
          .field("max_concurrent_jobs", worker.maxConcurrentJobs())
          .field("identity", worker.identity().jsonName())
          .write();
    }
    if (clientTokenSha256 == null || adminTokenSha256 == null) {
      log.warn("open_routes")
          .field("client_routes_open", clientTokenSha256 == null)
          .field("admin_routes_open", adminTokenSha256 == null)
          .write();
    }
  }

  /** Starts the coordinator from its options; logs JSON lines to standard output. */
  public static PoolService start(ParsedOptions options) throws Exception {
    return new PoolService(options, JsonLog.stdout("pool-coordinator"));
  }

  /** Starts the coordinator from its options, logging to {@code log}. */
  public static PoolService start(ParsedOptions options, JsonLog log) throws Exception {
    return new PoolService(options, Objects.requireNonNull(log, "log"));
  }

  /** Runs the coordinator until SIGTERM; {@code --help} lists the options. */
  public static void main(String[] args) {
    ServiceMain.run(PoolOptions.OPTIONS, args, PoolService::start);
  }

  private static AccessLog accessLog(JsonLog log) {
    return record ->
        log.info("worker_call")
            .field("method", record.method())
            .field("path", record.path())
            .field("worker", record.backend())
            .field("status", record.status())
            .latencyNanos(record.duration().toNanos())
            .field("bytes", record.responseBytes())
            .field("error", record.error())
            .write();
  }

  // ---------------------------------------------------------------- client routes

  private Reply submit(Exchange exchange) throws Exception {
    authorize(exchange, clientTokenSha256, "client");
    byte[] body = exchange.body();
    if (body.length == 0) {
      throw HttpError.badRequest("body: empty (expected: the job, as a worker's /submit takes it)");
    }
    String jobId;
    try {
      jobId = pool.submit(body, exchange.header("Content-Type"));
    } catch (IllegalStateException closing) {
      throw new HttpError(503, "closing", "the coordinator is shutting down");
    }
    exchange.logField("job_id", jobId);
    Map<String, Object> accepted = new LinkedHashMap<>();
    accepted.put("job_id", jobId);
    accepted.put("status", "queued");
    return Reply.json(200, accepted);
  }

  private Reply status(Exchange exchange) throws Exception {
    authorize(exchange, clientTokenSha256, "client");
    String jobId = exchange.pathParam("job_id");
    Optional<JobView> job =
        pool.refresh(jobId)
            .completeOnTimeout(pool.job(jobId), requestTimeoutMillis, TimeUnit.MILLISECONDS)
            .get();
    return Reply.json(200, statusJson(job.orElseThrow(() -> unknownJob(jobId))));
  }

  private Reply output(Exchange exchange) {
    authorize(exchange, clientTokenSha256, "client");
    String jobId = exchange.pathParam("job_id");
    String path = exchange.pathParam("path");
    JobView job = pool.job(jobId).orElseThrow(() -> unknownJob(jobId));
    WorkerSpec worker = job.worker();
    String remoteId = job.remoteJobId();
    if (worker == null || remoteId == null) {
      throw HttpError.notFound(
          "job " + jobId + ": no outputs yet (status " + job.state().jsonName() + ")");
    }
    String target =
        "/outputs/" + PathSegments.encode(remoteId) + "/" + PathSegments.encodePath(path);
    Server server = worker.server();
    exchange.logField("job_id", jobId);
    return Reply.streamed(
        (request, response, callback) ->
            pool.forwarder()
                .forward(request, response, callback, server, target)
                .thenApply(Forwarded::status));
  }

  // ---------------------------------------------------------------- admin routes

  private Reply poolStatus(Exchange exchange) {
    authorize(exchange, adminTokenSha256, "admin");
    List<Map<String, Object>> workers = new ArrayList<>();
    int healthy = 0;
    for (PoolCoordinator.WorkerView view : pool.workers()) {
      Map<String, Object> worker = new LinkedHashMap<>();
      worker.put("worker_id", view.spec().workerId());
      worker.put("endpoint", view.spec().endpoint().toString());
      worker.put("is_healthy", view.healthy());
      worker.put("draining", view.draining());
      worker.put("identity", view.spec().identity().jsonName());
      worker.put("active_jobs", view.activeJobs());
      worker.put("max_concurrent_jobs", view.spec().maxConcurrentJobs());
      worker.put("jobs_started", view.jobsStarted());
      worker.put("failures", view.failures());
      workers.add(worker);
      healthy += view.healthy() ? 1 : 0;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("total_workers", workers.size());
    body.put("healthy_workers", healthy);
    body.put("total_jobs", pool.known());
    body.put("queued_jobs", pool.queued());
    body.put("workers", workers);
    return Reply.json(200, body);
  }

  private Reply drain(Exchange exchange) throws Exception {
    authorize(exchange, adminTokenSha256, "admin");
    JsonNode body = exchange.jsonBody(JsonNode.class);
    String name = null;
    if (body != null && body.path("worker_id").isTextual()) {
      name = body.get("worker_id").asText();
    } else if (body != null && body.path("endpoint").isTextual()) {
      name = body.get("endpoint").asText();
    }
    if (name == null) {
      throw HttpError.badRequest(
          "body: " + body + " (expected: {\"worker_id\": ...} or {\"endpoint\": ...})");
    }
    String worker = name;
    if (pool.drain(worker).isEmpty()) {
      throw HttpError.notFound("worker " + worker + ": not in the pool");
    }
    return Reply.json(202, Map.of("worker", worker, "status", "draining"));
  }

  // ---------------------------------------------------------------- helpers

  /** Checks the bearer token of a guarded route; open when no token was configured. */
  private static void authorize(Exchange exchange, @Nullable String tokenSha256, String role) {
    if (tokenSha256 == null) {
      return;
    }
    String presented = Tokens.bearer(exchange.header("Authorization"));
    if (presented == null) {
      throw new HttpError(
          401,
          "unauthorized",
          "missing bearer token (expected: Authorization: Bearer <" + role + " token>)",
          Map.of("WWW-Authenticate", "Bearer"));
    }
    if (!Tokens.matches(presented, tokenSha256)) {
      throw new HttpError(
          401,
          "unauthorized",
          "wrong " + role + " token",
          Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\""));
    }
  }

  private static HttpError unknownJob(String jobId) {
    return HttpError.notFound("job " + jobId + ": not known (or forgotten after its retention)");
  }

  /** Returns the JSON of {@code GET /status}: the seed's fields and the worker's own answer. */
  static Map<String, Object> statusJson(JobView job) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("job_id", job.jobId());
    json.put("status", job.state().jsonName());
    json.put("pool_status", job.state().jsonName());
    WorkerSpec worker = job.worker();
    json.put("worker_id", worker == null ? null : worker.workerId());
    json.put("worker_endpoint", worker == null ? null : worker.endpoint().toString());
    json.put("remote_job_id", job.remoteJobId());
    json.put("attempts", job.attempts());
    JsonNode workerStatus = job.workerStatus();
    if (workerStatus != null) {
      json.put("worker_status", workerStatus);
    }
    if (job.error() != null) {
      json.put("error", job.error());
    }
    json.put("submitted_at", epochSeconds(job.submittedAt()));
    Instant finished = job.finishedAt();
    json.put("completed_at", finished == null ? null : epochSeconds(finished));
    return json;
  }

  /** Seconds since the epoch, to the millisecond, in plain notation ({@code 1796545601.731}). */
  private static BigDecimal epochSeconds(Instant instant) {
    return BigDecimal.valueOf(instant.toEpochMilli(), 3);
  }

  // ---------------------------------------------------------------- service

  /** Returns the pool behind the service. */
  public PoolCoordinator pool() {
    return pool;
  }

  @Override
  public int port() {
    return http.port();
  }

  /** Stops accepting, lets requests in flight finish, then stops the pool. Idempotent. */
  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "PoolService{port " + port() + ", " + pool + "}";
  }

  /** Percent-encoding of path segments (RFC 3986: everything but the unreserved characters). */
  static final class PathSegments {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathSegments() {}

    /** Encodes one segment. */
    static String encode(String segment) {
      StringBuilder out = new StringBuilder(segment.length());
      for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
        int c = b & 0xff;
        if ((c >= 'a' && c <= 'z')
            || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9')
            || c == '-'
            || c == '.'
            || c == '_'
            || c == '~') {
          out.append((char) c);
        } else {
          out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
        }
      }
      return out.toString();
    }

    /** Encodes each {@code /}-separated segment of a path. */
    static String encodePath(String path) {
      String[] segments = path.split("/", -1);
      StringBuilder out = new StringBuilder(path.length());
      for (int i = 0; i < segments.length; i++) {
        if (i > 0) {
          out.append('/');
        }
        out.append(encode(segments[i]));
      }
      return out.toString();
    }
  }
}
