package dev.lbkit.examples.router;

import com.sun.net.httpserver.HttpExchange;
import dev.lbkit.examples.http.Exchanges;
import dev.lbkit.examples.http.HttpError;
import dev.lbkit.examples.http.LoopbackServer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A sandbox runner for the router example (the seed's runner API, reduced to what the router
 * needs): an HTTP server on loopback that takes evaluation jobs and finishes them when told to.
 *
 * <ul>
 *   <li>{@code GET /v1/health}: {@code {"status": "healthy", "queue_depth": n}}, n its unfinished
 *       jobs.
 *   <li>{@code POST /v1/jobs/submit} with {@code repo_url, branch, commit, path, weight_class}:
 *       {@code {"job_id": id, "status": "queued"}}.
 *   <li>{@code GET /v1/jobs/{id}}, {@code GET /v1/jobs/{id}/metrics}: the job's status, and once
 *       completed its metrics ({@code score}); {@code DELETE /v1/jobs/{id}} cancels it. 404 for a
 *       job it does not know.
 * </ul>
 *
 * <p>Jobs stay queued until {@link #completeAll()}, so a test decides when work is done; a job's
 * score is a function of its five fields, the same on every runner. Thread-safe.
 */
public final class SandboxRunner implements AutoCloseable {

  private static final List<String> FIELDS =
      List.of("repo_url", "branch", "commit", "path", "weight_class");

  /** One job: its request, and its metrics once completed (null before). */
  private static final class Job {
    final Map<String, Object> request;
    volatile @Nullable Map<String, Object> metrics;

    Job(Map<String, Object> request) {
      this.request = request;
    }
  }

  private final String name;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final LongAdder jobRequests = new LongAdder();
  private final LongAdder healthRequests = new LongAdder();
  private final LoopbackServer server;

  private SandboxRunner(String name) throws IOException {
    this.name = name;
    this.server = LoopbackServer.start("sandbox-runner-" + name, this::handle);
  }

  /**
   * Starts a runner on 127.0.0.1 and a free port; its threads are named {@code
   * sandbox-runner-name-...}.
   *
   * @throws IOException if its server cannot bind
   */
  public static SandboxRunner start(String name) throws IOException {
    return new SandboxRunner(Objects.requireNonNull(name, "name"));
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    List<String> path = Exchanges.pathSegments(exchange);
    if (method.equals("GET") && path.equals(List.of("v1", "health"))) {
      healthRequests.increment();
      Exchanges.respond(exchange, 200, Map.of("status", "healthy", "queue_depth", queueDepth()));
      return;
    }
    jobRequests.increment();
    if (method.equals("POST") && path.equals(List.of("v1", "jobs", "submit"))) {
      Map<String, Object> request = Exchanges.jsonBody(exchange);
      for (String field : FIELDS) {
        if (!(request.get(field) instanceof String)) {
          throw new HttpError(400, field + ": missing (expected: a string)");
        }
      }
      String id = name + "-job-" + ids.incrementAndGet();
      jobs.put(id, new Job(request));
      Exchanges.respond(exchange, 200, Map.of("job_id", id, "status", "queued"));
      return;
    }
    if (path.size() < 3 || path.size() > 4 || !path.subList(0, 2).equals(List.of("v1", "jobs"))) {
      throw new HttpError(404, "no route: " + method + " " + exchange.getRequestURI().getPath());
    }
    String id = path.get(2);
    Job job = jobs.get(id);
    if (job == null) {
      throw new HttpError(404, "unknown job: " + id);
    }
    if (method.equals("DELETE") && path.size() == 3) {
      jobs.remove(id);
      Exchanges.respond(exchange, 200, Map.of("job_id", id, "status", "cancelled"));
    } else if (method.equals("GET")
        && (path.size() == 3 || (path.size() == 4 && path.get(3).equals("metrics")))) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("job_id", id);
      Map<String, Object> metrics = job.metrics;
      answer.put("status", metrics == null ? "queued" : "completed");
      if (metrics != null && path.size() == 4) {
        answer.putAll(metrics);
      }
      Exchanges.respond(exchange, 200, answer);
    } else {
      throw new HttpError(404, "no route: " + method + " " + exchange.getRequestURI().getPath());
    }
  }

  /** Completes every queued job, with a score that depends only on the job's five fields. */
  public void completeAll() {
    for (Job job : jobs.values()) {
      if (job.metrics == null) {
        int hash = 0;
        for (String field : FIELDS) {
          hash = 31 * hash + Objects.hashCode(job.request.get(field));
        }
        job.metrics = Map.of("score", Math.floorMod(hash, 1000) / 1000.0, "tests_passed", 42);
      }
    }
  }

  /** Returns how many of its jobs are not completed: what {@code /v1/health} reports. */
  public int queueDepth() {
    int depth = 0;
    for (Job job : jobs.values()) {
      if (job.metrics == null) {
        depth++;
      }
    }
    return depth;
  }

  /** Returns how many requests it has had on its job routes (everything but health). */
  public long jobRequests() {
    return jobRequests.sum();
  }

  /** Returns how many health requests it has had. */
  public long healthRequests() {
    return healthRequests.sum();
  }

  /** Returns the port it listens on, on 127.0.0.1. */
  public int port() {
    return server.port();
  }

  /** Kills the runner: every connection drops and its jobs are gone with it. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "SandboxRunner{" + name + " at 127.0.0.1:" + port() + "}";
  }
}
