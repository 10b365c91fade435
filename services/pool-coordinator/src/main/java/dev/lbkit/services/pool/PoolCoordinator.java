package dev.lbkit.services.pool;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Server;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.Scheduler;
import dev.lbkit.services.forward.AccessLog;
import dev.lbkit.services.forward.HttpForwarder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The pool, without its HTTP front: the allowlisted workers in an lbkit {@link LoadBalancer} (least
 * connections, each worker capped at its own {@code max_concurrent_jobs}), a {@link HealthChecker}
 * whose probe is the identity challenge ({@link IdentityProbe}), and the {@link Dispatcher} with
 * its queue.
 *
 * <p>Workers start unproven (unhealthy) and take jobs from their first passed challenge on; one
 * failed challenge takes a worker out again (the seed's rule), as does any failure the dispatcher
 * sees (passive ejection), until a challenge passes again.
 *
 * <p>Thread-safe. {@link #close()} stops the health checks, the dispatcher, the HTTP client and the
 * timer thread; jobs still queued or running are abandoned.
 */
public final class PoolCoordinator implements AutoCloseable {

  /**
   * How the pool times its work.
   *
   * @param healthInterval how often each worker is challenged (30 s in the seed)
   * @param healthTimeout how long a worker has to answer a challenge
   * @param requestTimeout how long a worker has to answer {@code /submit} and {@code /status}
   * @param pollInterval how often a dispatched job's status is asked for
   * @param jobDeadline how long after its submission a job may still wait for a worker
   * @param retention how long a finished job stays known
   * @param lostAfter how many status polls in a row may fail before the worker counts as failed
   */
  public record Settings(
      Duration healthInterval,
      Duration healthTimeout,
      Duration requestTimeout,
      Duration pollInterval,
      Duration jobDeadline,
      Duration retention,
      int lostAfter) {

    /** Checks the values. */
    public Settings {
      positive(healthInterval, "healthInterval");
      positive(healthTimeout, "healthTimeout");
      positive(requestTimeout, "requestTimeout");
      positive(pollInterval, "pollInterval");
      positive(jobDeadline, "jobDeadline");
      positive(retention, "retention");
      if (healthTimeout.compareTo(healthInterval) > 0) {
        throw new IllegalArgumentException(
            "healthTimeout: "
                + healthTimeout
                + " (expected: <= healthInterval "
                + healthInterval
                + ")");
      }
      if (lostAfter < 1) {
        throw new IllegalArgumentException("lostAfter: " + lostAfter + " (expected: >= 1)");
      }
    }

    /** The defaults: the seed's 30 s health interval, and a job waits up to an hour. */
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(1),
          Duration.ofHours(1),
          Duration.ofHours(1),
          3);
    }

    private static void positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }
  }

  /**
   * One worker as {@code GET /pool} shows it.
   *
   * @param spec its allowlist entry
   * @param healthy whether it is proven now
   * @param draining whether it is draining (it then leaves the pool once idle)
   * @param activeJobs how many of the pool's jobs it runs now
   * @param jobsStarted how many jobs the pool has sent it
   * @param failures how many jobs it failed as a worker (down, refused, timed out, lost the job); a
   *     job's own failure does not count
   */
  public record WorkerView(
      WorkerSpec spec,
      boolean healthy,
      boolean draining,
      int activeJobs,
      long jobsStarted,
      long failures) {}

  private final Map<Server, WorkerSpec> workers;
  private final LoadBalancer lb;
  private final HttpForwarder forwarder;
  private final ScheduledThreadPoolExecutor timer;
  private final HealthChecker health;
  private final Dispatcher dispatcher;

  private PoolCoordinator(List<WorkerSpec> specs, Settings settings, AccessLog accessLog) {
    Map<Server, WorkerSpec> byServer = new LinkedHashMap<>();
    for (WorkerSpec spec : specs) {
      Server server = spec.server();
      server.setHealthy(false); // unproven until a challenge passes
      if (byServer.put(server, spec) != null) {
        throw new IllegalArgumentException(
            "workers: " + server + " listed twice (expected: each endpoint once)");
      }
    }
    if (byServer.isEmpty()) {
      throw new IllegalArgumentException("workers: none (expected: at least one)");
    }
    this.workers = Map.copyOf(byServer);
    this.lb =
        LoadBalancer.builder(new ArrayList<>(byServer.keySet()))
            .algorithm(Algorithm.LEAST_CONNECTIONS)
            .build();
    byServer.forEach((server, spec) -> lb.setMaxConcurrent(server, spec.maxConcurrentJobs()));
    this.forwarder = forwarder(settings, accessLog);
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("pool-coordinator-timer"));
    timer.setRemoveOnCancelPolicy(true);
    try {
      WorkerClient client = new WorkerClient(forwarder);
      this.dispatcher =
          new Dispatcher(
              lb,
              byServer,
              client,
              scheduler(timer),
              Clock.systemUTC(),
              new Dispatcher.Timing(
                  settings.requestTimeout(),
                  settings.pollInterval(),
                  settings.jobDeadline(),
                  settings.retention(),
                  settings.lostAfter()));
      this.health =
          HealthChecker.builder()
              .interval(settings.healthInterval())
              .timeout(settings.healthTimeout())
              .healthyThreshold(1) // one valid signature is proof enough
              .unhealthyThreshold(1) // one wrong or missing answer is not
              .probe(new IdentityProbe(byServer, client))
              .build();
      health.onHealthy(worker -> dispatcher.dispatch());
      health.watch(lb);
      health.start();
    } catch (RuntimeException e) {
      timer.shutdownNow();
      forwarder.close();
      throw e;
    }
  }

  /**
   * Starts a pool over {@code workers}: its HTTP forwarder (the client it calls workers with), its
   * timer and its health checks. Workers take jobs once they have passed a challenge.
   *
   * @param accessLog where the forwarder writes a line per call to a worker
   * @throws IllegalArgumentException if {@code workers} is empty or lists an endpoint twice
   */
  public static PoolCoordinator start(
      List<WorkerSpec> workers, Settings settings, AccessLog accessLog) {
    return new PoolCoordinator(
        List.copyOf(Objects.requireNonNull(workers, "workers")),
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(accessLog, "accessLog"));
  }

  private static HttpForwarder forwarder(Settings settings, AccessLog accessLog) {
    return HttpForwarder.builder()
        .name("pool-coordinator-client")
        .connectTimeout(settings.requestTimeout())
        .responseTimeout(settings.requestTimeout())
        .maxConnectionsPerBackend(64)
        .withholdRequestHeaders("Authorization", "Cookie") // the clients' credentials are ours
        .accessLog(accessLog)
        .build();
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, name + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static Scheduler scheduler(ScheduledThreadPoolExecutor timer) {
    return (task, delayNanos) -> {
      try {
        Future<?> scheduled = timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> scheduled.cancel(false);
      } catch (RejectedExecutionException closing) {
        return () -> {};
      }
    };
  }

  // ---------------------------------------------------------------- jobs

  /**
   * Queues a job; its body and content type go to its worker's {@code POST /submit} as they are.
   *
   * @return the job's id, {@code pool-} and a UUID
   * @throws IllegalStateException if the pool is closed
   */
  public String submit(byte[] body, @Nullable String contentType) {
    return dispatcher.submit(body, contentType);
  }

  /** Returns what is known of job {@code jobId}, or empty if there is no such job. */
  public Optional<JobView> job(String jobId) {
    return dispatcher.view(jobId);
  }

  /**
   * Asks job {@code jobId}'s worker for its status now, and returns what is known then; empty if
   * there is no such job.
   */
  public CompletableFuture<Optional<JobView>> refresh(String jobId) {
    return dispatcher.refresh(jobId);
  }

  /** Returns how many jobs wait in the queue. */
  public int queued() {
    return dispatcher.queued();
  }

  /** Returns how many jobs are known, finished ones within their retention included. */
  public int known() {
    return dispatcher.known();
  }

  // ---------------------------------------------------------------- workers

  /** Returns every allowlisted worker still in the pool (drained ones have left), in file order. */
  public List<WorkerView> workers() {
    List<WorkerView> views = new ArrayList<>();
    var requests = lb.stats().requestsPerServer();
    for (Server server : lb.servers()) {
      WorkerSpec spec = workers.get(server);
      if (spec != null) {
        views.add(
            new WorkerView(
                spec,
                server.isHealthy(),
                lb.isDraining(server),
                server.activeConnections(),
                requests.getOrDefault(server.id(), 0L),
                dispatcher.workerFailures(server)));
      }
    }
    return views;
  }

  /**
   * Drains the worker named by {@code workerIdOrEndpoint} (its worker id in either encoding, or its
   * endpoint): it takes no new jobs and leaves the pool once its running jobs have finished.
   *
   * @return a future completed once it has left; empty if no worker of the pool has that name
   */
  public Optional<CompletableFuture<Void>> drain(String workerIdOrEndpoint) {
    Objects.requireNonNull(workerIdOrEndpoint, "workerIdOrEndpoint");
    for (Server server : lb.servers()) {
      WorkerSpec spec = workers.get(server);
      if (spec != null
          && (spec.endpoint().toString().equals(stripSlash(workerIdOrEndpoint))
              || WorkerIdentity.sameKey(spec.key(), workerIdOrEndpoint))) {
        return Optional.of(lb.drain(server));
      }
    }
    return Optional.empty();
  }

  private static String stripSlash(String endpoint) {
    return endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
  }

  /** Challenges every worker once now, waiting for each answer, as a health round does. */
  public void checkHealth() {
    lb.servers().forEach(health::check);
  }

  /** Returns the forwarder the pool calls its workers with, which also streams their outputs. */
  HttpForwarder forwarder() {
    return forwarder;
  }

  /** Returns the allowlist entry of the worker at {@code server}, if any. */
  @Nullable WorkerSpec spec(Server server) {
    return workers.get(server);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops everything the pool started; queued and running jobs are abandoned. Idempotent. */
  @Override
  public void close() {
    health.close();
    dispatcher.close();
    forwarder.close();
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "PoolCoordinator{" + workers.size() + " workers, " + queued() + " queued}";
  }
}
