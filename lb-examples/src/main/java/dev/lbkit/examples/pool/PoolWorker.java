package dev.lbkit.examples.pool;

import com.sun.net.httpserver.HttpExchange;
import dev.lbkit.examples.http.Exchanges;
import dev.lbkit.examples.http.HttpError;
import dev.lbkit.examples.http.Json;
import dev.lbkit.examples.http.LoopbackServer;
import java.io.IOException;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A worker of the pool (the seed's sandrun worker, reduced to what the coordinator needs): an HTTP
 * server on loopback with an Ed25519 identity, running jobs with a {@link Job} function.
 *
 * <ul>
 *   <li>{@code GET /health?nonce=N} answers {@code {"status":"healthy","worker_id":id,
 *       "signature":s,"active_jobs":n}}, where {@code id} is its public key and {@code s} its
 *       signature of the challenge for the base64url nonce {@code N} (see {@link WorkerIdentity}).
 *   <li>{@code POST /run {"job_id":j,"payload":p}} runs the job for the length of the exchange and
 *       answers {@code {"job_id":j,"output":o}}, or 500 if the job threw.
 * </ul>
 *
 * <p>{@link #close()} is the worker dying: running jobs are interrupted and get no answer, then
 * every connection drops. Thread-safe.
 */
public final class PoolWorker implements AutoCloseable {

  /** What a worker does with one job; runs on one of the worker's threads. */
  @FunctionalInterface
  public interface Job {
    /**
     * Runs the job and returns its output.
     *
     * @throws InterruptedException if the worker is closing under it (it then answers nothing)
     * @throws Exception if the job failed (the worker answers 500)
     */
    String run(String jobId, String payload) throws Exception;
  }

  private final KeyPair keys;
  private final String workerId;
  private final Job job;
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder runs = new LongAdder();
  private final LongAdder healthChecks = new LongAdder();
  private final LoopbackServer server;

  private PoolWorker(String name, KeyPair keys, Job job) throws IOException {
    this.keys = keys;
    this.workerId = WorkerIdentity.workerId(keys.getPublic());
    this.job = job;
    this.server = LoopbackServer.start("pool-worker-" + name, this::handle);
  }

  /**
   * Starts a worker with a new key pair on 127.0.0.1 and a free port; its threads are named {@code
   * pool-worker-name-...}.
   *
   * @throws IOException if its server cannot bind
   * @throws NullPointerException if an argument is null
   */
  public static PoolWorker start(String name, Job job) throws IOException {
    return new PoolWorker(
        Objects.requireNonNull(name, "name"),
        WorkerIdentity.generate(),
        Objects.requireNonNull(job, "job"));
  }

  private void handle(HttpExchange exchange) throws IOException {
    List<String> path = Exchanges.pathSegments(exchange);
    String method = exchange.getRequestMethod();
    if (method.equals("GET") && path.equals(List.of("health"))) {
      health(exchange);
    } else if (method.equals("POST") && path.equals(List.of("run"))) {
      run(exchange);
    } else {
      throw new HttpError(404, "no route: " + method + " " + exchange.getRequestURI().getPath());
    }
  }

  private void health(HttpExchange exchange) throws IOException {
    healthChecks.increment();
    String encoded = Exchanges.queryParameters(exchange).get("nonce");
    byte[] nonce;
    try {
      nonce = Base64.getUrlDecoder().decode(encoded == null ? "" : encoded);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "nonce: not base64url");
    }
    if (nonce.length == 0 || nonce.length > WorkerIdentity.NONCE_BYTES) {
      throw new HttpError(
          400,
          "nonce: " + nonce.length + " bytes (expected: 1.." + WorkerIdentity.NONCE_BYTES + ")");
    }
    byte[] signature = WorkerIdentity.sign(keys.getPrivate(), nonce);
    Exchanges.respond(
        exchange,
        200,
        Map.of(
            "status",
            "healthy",
            "worker_id",
            workerId,
            "signature",
            Base64.getEncoder().encodeToString(signature),
            "active_jobs",
            active.get()));
  }

  private void run(HttpExchange exchange) throws IOException {
    runs.increment();
    Map<String, Object> body = Exchanges.jsonBody(exchange);
    String jobId;
    String payload;
    try {
      jobId = Json.string(body, "job_id");
      payload = Json.string(body, "payload");
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, String.valueOf(e.getMessage()));
    }
    String output;
    active.incrementAndGet();
    try {
      output = job.run(jobId, payload);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // dying: no answer; the connection drops when the server stops
    } catch (Exception e) {
      throw new HttpError(500, "job " + jobId + " failed: " + e.getClass().getSimpleName());
    } finally {
      active.decrementAndGet();
    }
    Exchanges.respond(exchange, 200, Map.of("job_id", jobId, "output", output));
  }

  /** Returns the worker id: its public key, base64 of the X.509 encoding. */
  public String workerId() {
    return workerId;
  }

  /** Returns the port it listens on, on 127.0.0.1. */
  public int port() {
    return server.port();
  }

  /** Returns how many jobs run on it now. */
  public int activeJobs() {
    return active.get();
  }

  /** Returns how many {@code POST /run} requests it has received. */
  public long runs() {
    return runs.sum();
  }

  /** Returns how many health challenges it has received. */
  public long healthChecks() {
    return healthChecks.sum();
  }

  /** Kills the worker: interrupts its jobs (which get no answer), then drops every connection. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "PoolWorker{127.0.0.1:" + port() + ", active=" + active.get() + "}";
  }
}
