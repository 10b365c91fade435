package dev.lbkit.services.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.core.Algorithm;
import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.RetryRule;
import dev.lbkit.core.Server;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.OutlierDetector;
import dev.lbkit.health.ProbeResult;
import dev.lbkit.health.Scheduler;
import dev.lbkit.services.forward.Call;
import dev.lbkit.services.forward.HttpForwarder;
import dev.lbkit.services.forward.Reply;
import dev.lbkit.services.kit.Json;
import dev.lbkit.services.kit.JsonLog;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The sandbox runners and how new jobs are spread over them, on lbkit.
 *
 * <ul>
 *   <li>A {@link LoadBalancer} with {@link Algorithm#LEAST_LOADED}: a new job goes to the healthy
 *       runner with the lowest load, where a runner's load is the queue depth its last health
 *       answer reported, plus the jobs it took since, plus the submits in flight to it now. So a
 *       burst does not all land on the runner that looked emptiest at the last probe, and a runner
 *       that hangs on submit looks busier for as long as it hangs.
 *   <li>A {@link HealthChecker} polling {@code GET /v1/health} every health-check interval ({@code
 *       {"status": "healthy", "queue_depth": n}}); two failed probes take a runner out, one passed
 *       probe brings it back.
 *   <li>An {@link OutlierDetector} hearing every submit's lease: two failed submits in a row (an
 *       error, a 5xx or a timeout) eject the runner for 30 s, then 60 s, ... (at most half of the
 *       runners at once). With the failover of {@link LoadBalancer#executeAsync} (up to 3 attempts,
 *       every failure retried on another runner), a runner that passes its health checks but hangs
 *       on submit costs at most two slow submits before it is avoided, and one more per ejection
 *       after that.
 * </ul>
 *
 * Thread-safe. {@link #close()} stops the health checks.
 */
final class Runners implements AutoCloseable {

  /** A runner: its base URL as configured, and the lbkit server for its host and port. */
  record Runner(URI url, Server server) {}

  /** A runner's answer to a submit. */
  record Submitted(Server runner, Reply reply) {}

  /** The figures a runner's load is made of; the sum is what the balancer reads. */
  private static final class Load {
    volatile long probed;
    final AtomicLong sinceProbe = new AtomicLong();
    final AtomicLong inFlight = new AtomicLong();
    final LongAdder submitFailures = new LongAdder();

    long total() {
      return probed + sinceProbe.get() + inFlight.get();
    }
  }

  private static final Request SUBMIT =
      Request.builder().method("POST").path("/v1/jobs/submit").build();
  private static final Request JOB_REQUEST =
      Request.builder().method("GET").path("/v1/jobs").build();

  private final Map<String, Runner> byId = new LinkedHashMap<>();
  private final Map<Server, Load> loads = new LinkedHashMap<>();
  private final HttpForwarder forwarder;
  private final Duration requestTimeout;
  private final LoadBalancer lb;
  private final HealthChecker health;
  private final OutlierDetector outliers;

  Runners(
      List<URI> urls,
      HttpForwarder forwarder,
      Duration healthInterval,
      Duration requestTimeout,
      @Nullable Scheduler healthScheduler,
      JsonLog log) {
    this.forwarder = forwarder;
    this.requestTimeout = requestTimeout;
    List<Server> servers = new ArrayList<>();
    for (URI url : urls) {
      Server server = new Server(url.getHost(), port(url));
      if (byId.putIfAbsent(server.id(), new Runner(url, server)) != null) {
        throw new IllegalArgumentException("runners: " + url + " (expected: each runner once)");
      }
      loads.put(server, new Load());
      servers.add(server);
    }
    this.lb =
        LoadBalancer.builder(servers)
            .algorithm(Algorithm.LEAST_LOADED)
            .retryRule(RetryRule.always())
            .maxAttempts(Math.max(1, Math.min(3, servers.size())))
            .build();
    this.outliers =
        OutlierDetector.builder()
            .consecutiveFailures(2)
            .baseEjectionTime(Duration.ofSeconds(30))
            .maxEjectionTime(Duration.ofMinutes(5))
            .maxEjectionPercent(50)
            .build();
    outliers.attach(lb);
    outliers.onEjected(
        (server, time) ->
            log.warn("runner_ejected")
                .field("runner", server.id())
                .field("seconds", time.toSeconds())
                .field("reason", "consecutive submit failures")
                .write());
    Duration probeTimeout =
        healthInterval.compareTo(Duration.ofSeconds(5)) < 0
            ? healthInterval
            : Duration.ofSeconds(5);
    HealthChecker.Builder checks =
        HealthChecker.builder()
            .interval(healthInterval)
            .timeout(probeTimeout)
            .healthyThreshold(1)
            .unhealthyThreshold(2)
            .probe(this::probe);
    if (healthScheduler != null) {
      checks.scheduler(healthScheduler).probeExecutor(Runnable::run);
    }
    this.health = checks.build();
    health.onUnhealthy(server -> log.warn("runner_unhealthy").field("runner", server.id()).write());
    health.onHealthy(server -> log.info("runner_healthy").field("runner", server.id()).write());
    health.watch(lb);
  }

  /** Starts the periodic health checks. */
  void start() {
    health.start();
  }

  private static int port(URI url) {
    if (url.getPort() > 0) {
      return url.getPort();
    }
    return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
  }

  /** Returns the scheme {@code server} is reached with. */
  String scheme(Server server) {
    Runner runner = byId.get(server.id());
    return runner == null ? "http" : runner.url().getScheme().toLowerCase(java.util.Locale.ROOT);
  }

  // ---------------------------------------------------------------- health

  private ProbeResult probe(Server server, Duration timeout) throws Exception {
    Reply reply =
        forwarder
            .send(server, Call.get("/v1/health").timeout(timeout))
            .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    if (!reply.ok()) {
      return ProbeResult.failed("HTTP " + reply.status());
    }
    JsonNode body = Json.parse(reply.bodyAsString());
    if (!"healthy".equals(body.path("status").asText())) {
      return ProbeResult.failed("status: " + body.path("status").asText("none"));
    }
    long depth = body.path("queue_depth").asLong(0);
    if (depth < 0) {
      return ProbeResult.failed("queue_depth: " + depth + " (expected: >= 0)");
    }
    Load load = loads.get(server);
    if (load == null) {
      return ProbeResult.passed(depth);
    }
    load.probed = depth;
    load.sinceProbe.set(0); // the runner's own figure now counts the jobs it took
    return ProbeResult.passed(load.total());
  }

  /** Probes every runner once now and feeds the results to the health checks, as a round does. */
  void checkAll() {
    for (Server server : lb.servers()) {
      health.check(server);
    }
  }

  // ---------------------------------------------------------------- new jobs

  /**
   * Submits a job (its JSON body) to the runner with the lowest load, failing over to others.
   *
   * @return the first runner's answer below 500; fails with lbkit's {@code
   *     NoServerAvailableException} when no runner is admissible, or its {@code FailoverException}
   *     when every attempt failed
   */
  CompletableFuture<Submitted> submit(byte[] body) {
    return lb.executeAsync(SUBMIT, server -> submitTo(server, body));
  }

  private CompletableFuture<Submitted> submitTo(Server server, byte[] body) {
    Load load = loads.get(server);
    if (load == null) {
      throw new IllegalStateException("not a runner: " + server);
    }
    load.inFlight.incrementAndGet();
    publish(server, load);
    return forwarder
        .send(
            server,
            Call.of("POST", "/v1/jobs/submit")
                .body("application/json", body)
                .timeout(requestTimeout))
        .thenApply(
            reply -> {
              if (reply.status() >= 500) {
                throw new CompletionException(
                    new IOException(server + " answered the submit with HTTP " + reply.status()));
              }
              return new Submitted(server, reply);
            })
        .whenComplete(
            (submitted, failure) -> {
              load.inFlight.decrementAndGet();
              if (failure != null) {
                load.submitFailures.increment();
              } else if (submitted.reply().ok()) {
                load.sinceProbe.incrementAndGet();
              }
              publish(server, load);
            });
  }

  private static void publish(Server server, Load load) {
    server.reportLoad(load.total());
  }

  // ---------------------------------------------------------------- a job's runner

  /** Returns the runner with {@code id} ({@code host:port}), if it is configured. */
  Optional<Runner> runner(@Nullable String id) {
    return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
  }

  /** Returns whether {@code server} can be sent a request about a job it has: it is healthy. */
  boolean isAvailable(Server server) {
    return lb.servers().contains(server) && server.isHealthy();
  }

  /**
   * Returns a lease on {@code server} for a request about one of its jobs, so the call is counted
   * and timed; empty when the balancer will not admit it now (ejected after failed submits, say):
   * the call then goes uncounted, since only that runner has the job.
   */
  Optional<Lease> lease(Server server) {
    return lb.tryAcquire(JOB_REQUEST, server);
  }

  // ---------------------------------------------------------------- figures

  /** Returns each runner's figures, for {@code /v1/status}. */
  List<Map<String, Object>> status() {
    Map<String, Long> routed = lb.stats().requestsPerServer();
    List<Map<String, Object>> all = new ArrayList<>();
    for (Runner runner : byId.values()) {
      Server server = runner.server();
      Load load = loads.get(server);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("runner", runner.url().toString());
      json.put("id", server.id());
      json.put("healthy", server.isHealthy());
      json.put("ejected", lb.isEjected(server));
      json.put("queue_depth", server.load());
      json.put("in_flight", server.activeConnections());
      json.put("requests_routed", routed.getOrDefault(server.id(), 0L));
      json.put("submit_failures", load == null ? 0 : load.submitFailures.sum());
      all.add(json);
    }
    return all;
  }

  /** Returns how many runners are healthy. */
  long healthyCount() {
    return lb.servers().stream().filter(Server::isHealthy).count();
  }

  /** Returns the summed load of the healthy runners. */
  long healthyQueueDepth() {
    return lb.servers().stream().filter(Server::isHealthy).mapToLong(Server::load).sum();
  }

  int size() {
    return byId.size();
  }

  LoadBalancer balancer() {
    return lb;
  }

  @Override
  public void close() {
    health.close();
    outliers.close();
  }
}
