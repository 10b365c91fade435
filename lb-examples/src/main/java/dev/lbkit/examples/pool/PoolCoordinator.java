package dev.lbkit.examples.pool;

import com.sun.net.httpserver.HttpExchange;
import dev.lbkit.core.Algorithm;
import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.ServerStats;
import dev.lbkit.core.Ticker;
import dev.lbkit.examples.http.Arguments;
import dev.lbkit.examples.http.Exchanges;
import dev.lbkit.examples.http.HttpError;
import dev.lbkit.examples.http.Json;
import dev.lbkit.examples.http.JsonClient;
import dev.lbkit.examples.http.LoopbackServer;
import dev.lbkit.examples.http.NamedThreads;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.Scheduler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The seed's trusted pool coordinator (seed 002) embedded on lbkit: it takes jobs over HTTP and
 * runs each on the least-loaded healthy worker of an allowlist, at most {@code maxConcurrentJobs}
 * at a time per worker, queueing the rest in FIFO order; a job whose worker fails or dies goes to
 * another worker, never lost and never on two workers at once. Workers prove who they are to every
 * health probe by signing a fresh nonce with their Ed25519 key ({@link ChallengeProbe}), and are
 * not used before their first proof.
 *
 * <pre>{@code
 * try (PoolCoordinator pool = PoolCoordinator.builder()
 *     .worker("10.0.0.1", 8443, workerIdA)   // allowlist: address and Ed25519 public key
 *     .worker("10.0.0.2", 8443, workerIdB)
 *     .maxConcurrentJobs(4)
 *     .start()) {
 *   String jobId = pool.submit("make test");  // or POST /submit
 *   pool.status(jobId);                       // queued, running on a worker, completed...
 *   pool.drain("10.0.0.2:8443");              // finishes its jobs, takes no new ones
 * }
 * }</pre>
 *
 * <h2>HTTP API</h2>
 *
 * <ul>
 *   <li>{@code POST /submit {"payload": p}}: 202 {@code {"job_id": "pool-...", "status":
 *       "queued"}}.
 *   <li>{@code GET /status/{job_id}}: 200 {@code {"job_id", "status", "worker", "attempts",
 *       "output", "error"}} (the last three when known); 404 for an unknown job.
 *   <li>{@code GET /pool}: the queue length and each worker's health, drain state and jobs.
 *   <li>{@code POST /pool/workers/{host:port}/drain}: 202; 404 for an unknown worker.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops the HTTP server, the health checker and every thread the
 * coordinator started; jobs still queued or running are abandoned.
 */
public final class PoolCoordinator implements AutoCloseable {

  /*
   * How a job moves.
   *
   * A job is in exactly one place at a time, and moves only under `lock`: in the FIFO `queue`, or
   * RUNNING with one exchange on one worker, or finished. dispatch() takes jobs from the head of
   * the queue for as long as the balancer grants a lease: LEAST_CONNECTIONS over the healthy,
   * non-draining, non-ejected workers under maxConcurrent(cap). The lease is the job's slot: a
   * worker runs a job for the length of one POST /run exchange, and the lease is held exactly that
   * long, so the balancer's active-connection count is the worker's job count, always current
   * (the health probe's active_jobs would be up to an interval stale).
   *
   * When the exchange fails (refused, dropped, or any status but 200), the worker is ejected for
   * retryPause - passive health; the checker alone decides whether it is healthy - before its
   * lease is closed, so no dispatch in between hands the job straight back to it. Then the job
   * goes back to the head of the queue (it keeps its turn) for another worker. A job only ever has
   * one exchange, and goes back only once that exchange has ended, so it never runs on two workers
   * at once, provided a worker's job ends with its exchange (PoolWorker's do). A worker that hangs
   * without dropping the connection keeps its job: re-dispatching a job that may still be running
   * would break that promise. After maxAttempts failed exchanges a job fails, visibly.
   *
   * Nothing waits for a free slot: dispatch() runs when something may have freed one - a submit,
   * an exchange ending, a worker turning healthy, a retry pause running out (a task on the
   * scheduler, which also times the health probes).
   */

  private static final System.Logger LOG = System.getLogger(PoolCoordinator.class.getName());

  /** Where a job is. */
  public enum JobState {
    /** Waiting in the queue for a free slot. */
    QUEUED,
    /** Running on a worker. */
    RUNNING,
    /** Done; its output is known. */
    COMPLETED,
    /** Given up after {@code maxAttempts} failed exchanges. */
    FAILED
  }

  /**
   * What the coordinator knows of one job, as of one {@link #status} call.
   *
   * @param worker the worker it runs or ran on ({@code host:port}), null while queued
   * @param attempts how many times it was sent to a worker
   * @param output its output, once completed
   * @param error why it failed, once failed
   */
  public record JobStatus(
      String jobId,
      JobState state,
      @Nullable String worker,
      int attempts,
      @Nullable String output,
      @Nullable String error) {

    /** Returns this status as the JSON object {@code GET /status} answers with. */
    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("job_id", jobId);
      json.put("status", state.name().toLowerCase(Locale.ROOT));
      if (worker != null) {
        json.put("worker", worker);
      }
      json.put("attempts", attempts);
      if (output != null) {
        json.put("output", output);
      }
      if (error != null) {
        json.put("error", error);
      }
      return json;
    }
  }

  /** One job; every field but the first two guarded by {@code lock}. */
  private static final class Job {
    final String id;
    final String payload;
    JobState state = JobState.QUEUED;
    @Nullable Server worker;
    int attempts;
    @Nullable String output;
    @Nullable String error;
    @Nullable CompletableFuture<?> exchange;

    Job(String id, String payload) {
      this.id = id;
      this.payload = payload;
    }
  }

  private final Object lock = new Object();
  private final ArrayDeque<Job> queue = new ArrayDeque<>(); // guarded by lock
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private boolean closed; // guarded by lock

  private final int maxAttempts;
  private final Duration retryPause;
  private final LoadBalancer lb;
  private final JsonClient http;
  private final @Nullable ScheduledThreadPoolExecutor ownTimer;
  private final Scheduler scheduler;
  private final HealthChecker health;
  private final LoopbackServer server;

  private PoolCoordinator(Builder builder) throws IOException {
    this.maxAttempts = builder.maxAttempts;
    this.retryPause = builder.retryPause;
    List<Server> workers = new ArrayList<>(builder.workers.keySet());
    workers.forEach(w -> w.setHealthy(false)); // unproven until a probe passes
    this.lb =
        LoadBalancer.builder(workers)
            .algorithm(Algorithm.LEAST_CONNECTIONS)
            .maxConcurrent(builder.maxConcurrentJobs)
            .maxEjectionPercent(100) // a failing worker sits out its pause, however many fail
            .ticker(builder.ticker)
            .build();
    this.http = JsonClient.create("pool-coordinator");
    if (builder.scheduler != null) {
      this.ownTimer = null;
      this.scheduler = builder.scheduler;
    } else {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(1, NamedThreads.daemon("pool-coordinator-timer-"));
      timer.setRemoveOnCancelPolicy(true);
      this.ownTimer = timer;
      this.scheduler = (task, delayNanos) -> schedule(timer, task, delayNanos);
    }
    this.health =
        HealthChecker.builder()
            .interval(builder.healthInterval)
            .timeout(builder.healthTimeout)
            .healthyThreshold(1) // one valid signature is proof enough
            .unhealthyThreshold(2)
            .probe(new ChallengeProbe(builder.workers, http))
            .scheduler(scheduler)
            .build();
    health.onHealthy(worker -> dispatch());
    health.watch(lb);
    LoopbackServer started;
    try {
      started = LoopbackServer.start("pool-coordinator", this::handle);
    } catch (IOException | RuntimeException e) {
      stopThreads();
      throw e;
    }
    this.server = started;
    health.start();
  }

  private static Scheduler.Cancellable schedule(
      ScheduledThreadPoolExecutor timer, Runnable task, long delayNanos) {
    try {
      Future<?> scheduled = timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return () -> scheduled.cancel(false);
    } catch (RejectedExecutionException closing) {
      return () -> {};
    }
  }

  /** Returns a builder; at least one worker must be added. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- jobs

  /**
   * Queues a job and dispatches it at once if a worker has a free slot.
   *
   * @return the job's id, {@code pool-} and a random UUID
   * @throws IllegalStateException if the coordinator is closed
   * @throws NullPointerException if {@code payload} is null
   */
  public String submit(String payload) {
    Objects.requireNonNull(payload, "payload");
    Job job = new Job("pool-" + UUID.randomUUID(), payload);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("coordinator: closed (expected: open)");
      }
      jobs.put(job.id, job);
      queue.addLast(job);
    }
    dispatch();
    return job.id;
  }

  /** Returns what is known of job {@code jobId}, or empty if there is no such job. */
  public Optional<JobStatus> status(String jobId) {
    Job job = jobs.get(Objects.requireNonNull(jobId, "jobId"));
    if (job == null) {
      return Optional.empty();
    }
    synchronized (lock) {
      Server worker = job.worker;
      return Optional.of(
          new JobStatus(
              job.id,
              job.state,
              worker == null ? null : worker.id(),
              job.attempts,
              job.output,
              job.error));
    }
  }

  /** Starts queued jobs, head first, for as long as the balancer grants a slot. */
  private void dispatch() {
    List<Runnable> starts = new ArrayList<>();
    synchronized (lock) {
      Job job;
      while (!closed && (job = queue.peekFirst()) != null) {
        Request request = Request.builder().method("POST").path("/run").key(job.id).build();
        Optional<Lease> slot = lb.tryAcquire(request);
        if (slot.isEmpty()) {
          break;
        }
        queue.removeFirst();
        Lease lease = slot.get();
        job.state = JobState.RUNNING;
        job.worker = lease.server();
        job.attempts++;
        Job started = job;
        starts.add(() -> run(started, lease));
      }
    }
    starts.forEach(Runnable::run); // the exchanges start outside the lock
  }

  /** Sends {@code job} to its lease's worker; {@link #finished} runs when the exchange ends. */
  private void run(Job job, Lease lease) {
    URI uri = URI.create("http://" + lease.server().id() + "/run");
    CompletableFuture<JsonClient.Response> exchange;
    try {
      exchange = http.send("POST", uri, Map.of("job_id", job.id, "payload", job.payload), null);
    } catch (RuntimeException closing) { // the client's threads are stopping
      exchange = CompletableFuture.failedFuture(closing);
    }
    boolean abandoned;
    synchronized (lock) {
      job.exchange = exchange;
      abandoned = closed; // closed after dispatch() let go of the lock: close() missed this one
    }
    if (abandoned) {
      exchange.cancel(true);
    }
    CompletableFuture<?> unused =
        exchange.whenComplete((response, failure) -> finished(job, lease, response, failure));
  }

  private void finished(
      Job job, Lease lease, JsonClient.@Nullable Response response, @Nullable Throwable failure) {
    String output = null;
    Throwable problem = failure;
    if (problem == null) {
      try {
        output = outputOf(Objects.requireNonNull(response));
      } catch (IOException e) {
        problem = e;
      }
    }
    Server worker = lease.server();
    if (problem != null) {
      lease.fail(problem);
      if (!isClosed()) {
        lb.eject(worker, retryPause); // before the slot frees up: see the design note
        // Look at the queue again when the pause runs out: scheduled before the job is
        // requeued, so whoever sees it queued sees this scheduled (tests on fake time rely on it).
        scheduler.schedule(this::dispatch, retryPause.toNanos());
      }
    }
    lease.close();
    synchronized (lock) {
      job.exchange = null;
      if (closed) {
        return;
      }
      if (problem == null) {
        job.state = JobState.COMPLETED;
        job.output = output;
      } else if (job.attempts >= maxAttempts) {
        job.state = JobState.FAILED;
        job.error = "failed " + job.attempts + " time(s), last on " + worker + ": " + problem;
      } else {
        job.state = JobState.QUEUED;
        job.worker = null;
        queue.addFirst(job); // it keeps its turn
      }
    }
    if (problem != null) {
      Throwable cause = problem;
      LOG.log(Level.INFO, () -> "job " + job.id + " failed on " + worker + ": " + cause);
    }
    dispatch();
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Returns the output of a worker's answer to {@code POST /run}. */
  private static String outputOf(JsonClient.Response response) throws IOException {
    if (response.status() != 200) {
      throw new IOException("worker answered HTTP " + response.status());
    }
    try {
      return Json.string(response.json(), "output");
    } catch (IllegalArgumentException e) {
      throw new IOException("worker answered with a malformed body: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- workers

  /**
   * Drains the worker at {@code address} ({@code host:port}): it takes no new jobs and, once its
   * running jobs have finished, leaves the pool.
   *
   * @return a future completed once it has no job left and has left the pool
   * @throws IllegalArgumentException if no worker of the pool has that address
   */
  public CompletableFuture<Void> drain(String address) {
    Objects.requireNonNull(address, "address");
    for (Server worker : lb.servers()) {
      if (worker.id().equals(address)) {
        return lb.drain(worker);
      }
    }
    throw new IllegalArgumentException(
        "address: '" + address + "' (expected: one of " + addresses() + ")");
  }

  private List<String> addresses() {
    List<String> addresses = new ArrayList<>();
    lb.servers().forEach(s -> addresses.add(s.id()));
    return addresses;
  }

  /**
   * Probes every worker once now, waiting for each answer (at most the health timeout each), and
   * feeds the results to the health checker, as its periodic rounds do.
   */
  public void checkHealth() {
    lb.servers().forEach(health::check);
  }

  /** Returns the coordinator's base URI, {@code http://127.0.0.1:port}. */
  public URI uri() {
    return server.uri();
  }

  // ---------------------------------------------------------------- HTTP

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    List<String> path = Exchanges.pathSegments(exchange);
    if (method.equals("POST") && path.equals(List.of("submit"))) {
      String payload;
      try {
        payload = Json.string(Exchanges.jsonBody(exchange), "payload");
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, String.valueOf(e.getMessage()));
      }
      Exchanges.respond(exchange, 202, Map.of("job_id", submit(payload), "status", "queued"));
    } else if (method.equals("GET") && path.size() == 2 && path.get(0).equals("status")) {
      JobStatus status =
          status(path.get(1)).orElseThrow(() -> new HttpError(404, "unknown job: " + path.get(1)));
      Exchanges.respond(exchange, 200, status.toJson());
    } else if (method.equals("GET") && path.equals(List.of("pool"))) {
      Exchanges.respond(exchange, 200, pool());
    } else if (method.equals("POST")
        && path.size() == 4
        && path.subList(0, 2).equals(List.of("pool", "workers"))
        && path.get(3).equals("drain")) {
      try {
        CompletableFuture<Void> unused = drain(path.get(2));
      } catch (IllegalArgumentException e) {
        throw new HttpError(404, "unknown worker: " + path.get(2));
      }
      Exchanges.respond(exchange, 202, Map.of("worker", path.get(2), "status", "draining"));
    } else {
      throw new HttpError(404, "no route: " + method + " " + exchange.getRequestURI().getPath());
    }
  }

  private Map<String, Object> pool() {
    List<Map<String, Object>> workers = new ArrayList<>();
    for (ServerStats s : lb.stats().servers().values()) {
      Map<String, Object> worker = new LinkedHashMap<>();
      worker.put("address", s.id());
      worker.put("healthy", s.healthy());
      worker.put("draining", s.draining());
      worker.put("paused", s.ejected()); // after a failed job, for the retry pause
      worker.put("active_jobs", s.activeConnections());
      worker.put("jobs_started", s.requests());
      workers.add(worker);
    }
    Map<String, Object> pool = new LinkedHashMap<>();
    synchronized (lock) {
      pool.put("queued", queue.size());
    }
    pool.put("workers", workers);
    return pool;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops the HTTP server, the health checker, the exchanges in flight and every thread the
   * coordinator started. Queued and running jobs are abandoned. Idempotent.
   */
  @Override
  public void close() {
    List<CompletableFuture<?>> running = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      for (Job job : jobs.values()) {
        if (job.exchange != null) {
          running.add(job.exchange);
        }
      }
    }
    server.close();
    running.forEach(exchange -> exchange.cancel(true)); // closes their leases
    stopThreads();
  }

  private void stopThreads() {
    health.close();
    http.close();
    if (ownTimer != null) {
      ownTimer.shutdownNow();
      try {
        ownTimer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "PoolCoordinator{" + server.uri() + ", workers=" + addresses() + "}";
  }

  // ---------------------------------------------------------------- builder

  /**
   * Builds a {@link PoolCoordinator}; every setter checks its argument at once. Not thread-safe.
   */
  public static final class Builder {
    private final Map<Server, PublicKey> workers = new LinkedHashMap<>();
    private int maxConcurrentJobs = 4;
    private int maxAttempts = 3;
    private Duration healthInterval = Duration.ofSeconds(30);
    private Duration healthTimeout = Duration.ofSeconds(2);
    private Duration retryPause = Duration.ofSeconds(5);
    private Ticker ticker = Ticker.system();
    private @Nullable Scheduler scheduler;

    private Builder() {}

    /**
     * Allowlists the worker at {@code host:port}, identified by {@code workerId} (its Ed25519
     * public key, base64 of the X.509 encoding, as its {@code /health} reports it).
     *
     * @throws IllegalArgumentException if the address is invalid or already allowlisted, or {@code
     *     workerId} is not an Ed25519 public key
     */
    public Builder worker(String host, int port, String workerId) {
      Server worker = new Server(host, port);
      PublicKey key = WorkerIdentity.publicKey(workerId);
      if (workers.containsKey(worker)) {
        throw new IllegalArgumentException("worker: " + worker + " (expected: listed once)");
      }
      workers.put(worker, key);
      return this;
    }

    /**
     * Sets how many jobs one worker runs at once (the seed's {@code max_concurrent_jobs}); 4 by
     * default.
     *
     * @throws IllegalArgumentException if {@code maxConcurrentJobs} is below 1
     */
    public Builder maxConcurrentJobs(int maxConcurrentJobs) {
      this.maxConcurrentJobs = Arguments.atLeast(maxConcurrentJobs, 1, "maxConcurrentJobs");
      return this;
    }

    /**
     * Sets how many workers a job is sent to before it fails for good; 3 by default.
     *
     * @throws IllegalArgumentException if {@code maxAttempts} is below 1
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = Arguments.atLeast(maxAttempts, 1, "maxAttempts");
      return this;
    }

    /**
     * Sets how often each worker is challenged (30 s by default, as in the seed) and how long it
     * has to answer (2 s by default).
     *
     * @throws IllegalArgumentException if either is not positive, or the timeout is longer than the
     *     interval
     */
    public Builder health(Duration interval, Duration timeout) {
      Arguments.healthTiming(interval, timeout);
      this.healthInterval = interval;
      this.healthTimeout = timeout;
      return this;
    }

    /**
     * Sets how long a worker whose exchange failed takes no new jobs; 5 s by default.
     *
     * @throws IllegalArgumentException if {@code retryPause} is not positive
     */
    public Builder retryPause(Duration retryPause) {
      this.retryPause = Arguments.positive(retryPause, "retryPause");
      return this;
    }

    /**
     * Runs on {@code ticker} and {@code scheduler} instead of the system clock and the
     * coordinator's own timer thread: tests pass fake time, under which retry pauses end and health
     * rounds run only when the test moves the time on. The coordinator never shuts a given
     * scheduler down.
     */
    public Builder clock(Ticker ticker, Scheduler scheduler) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Starts the coordinator: its HTTP server on 127.0.0.1 and a free port, and its health checks.
     * Workers take jobs once they have passed a challenge.
     *
     * @throws IllegalStateException if no worker was added
     * @throws IOException if the HTTP server cannot bind
     */
    public PoolCoordinator start() throws IOException {
      if (workers.isEmpty()) {
        throw new IllegalStateException("workers: none (expected: at least one)");
      }
      return new PoolCoordinator(this);
    }
  }
}
