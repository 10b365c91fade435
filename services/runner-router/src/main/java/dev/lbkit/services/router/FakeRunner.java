package dev.lbkit.services.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lbkit.services.kit.Exchange;
import dev.lbkit.services.kit.HttpError;
import dev.lbkit.services.kit.HttpService;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Option;
import dev.lbkit.services.kit.Options;
import dev.lbkit.services.kit.Reply;
import dev.lbkit.services.kit.Routes;
import dev.lbkit.services.kit.Service;
import dev.lbkit.services.kit.ServiceMain;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.jspecify.annotations.Nullable;

/**
 * A fake sandbox runner, for tests and the demo: the runner API the router needs, with jobs that
 * finish when told to.
 *
 * <ul>
 *   <li>{@code GET /health}, {@code GET /v1/health}: {@code {"status": "healthy", "queue_depth":
 *       n}}, n its jobs not completed.
 *   <li>{@code POST /v1/jobs/submit} with {@code repo_url, branch, commit, path, weight_class}:
 *       {@code {"job_id": "<name>-job-<n>", "status": "queued"}}; 400 naming a missing field.
 *   <li>{@code GET /v1/jobs/{id}}, {@code GET /v1/jobs/{id}/metrics}: {@code status} ({@code
 *       queued} or {@code completed}); metrics ({@code score}, {@code tests_passed}) once
 *       completed. {@code DELETE /v1/jobs/{id}}: cancelled. 404 for a job it does not know.
 *   <li>{@code POST /v1/jobs/{id}/complete}: completes the job (the demo's way to finish one).
 *   <li>{@code GET /v1/jobs/{id}/output?bytes=n}: n bytes of output, streamed.
 * </ul>
 *
 * A job's score depends only on its five fields, so every runner gives the same one. {@link
 * #hangOnSubmit(boolean)} makes submits hang (health still answers) until turned off or closed: the
 * runner that looks least loaded but never takes a job. Thread-safe.
 *
 * <p>As a program: {@code java -cp runner-router.jar dev.lbkit.services.router.FakeRunner --port
 * 9001 [--name r1] [--hang-on-submit true]}.
 */
public final class FakeRunner implements Service {

  private static final List<String> FIELDS =
      List.of("repo_url", "branch", "commit", "path", "weight_class");

  /** One job: its request, and its metrics once completed (null before). */
  private static final class Job {
    final ObjectNode request;
    volatile @Nullable Map<String, Object> metrics;

    Job(ObjectNode request) {
      this.request = request;
    }
  }

  private final String name;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final LongAdder submits = new LongAdder();
  private final LongAdder jobRequests = new LongAdder();
  private volatile CountDownLatch hang = new CountDownLatch(0);
  private final HttpService http;

  private FakeRunner(String name, int port, @Nullable String host, JsonLog log) {
    this.name = Objects.requireNonNull(name, "name");
    Routes routes =
        Routes.builder()
            .get("/health", this::health)
            .get("/v1/health", this::health)
            .post("/v1/jobs/submit", this::submit)
            .get("/v1/jobs/{id}", ex -> status(ex, false))
            .get("/v1/jobs/{id}/metrics", ex -> status(ex, true))
            .delete("/v1/jobs/{id}", this::cancel)
            .post("/v1/jobs/{id}/complete", this::complete)
            .stream("GET", "/v1/jobs/{id}/output", this::output)
            .build();
    HttpService.Builder server =
        HttpService.builder("fake-runner-" + name, routes)
            .port(port)
            .log(log)
            .stopTimeout(java.time.Duration.ofSeconds(2))
            .onClose("hang", () -> hang.countDown());
    if (host != null) {
      server.host(host);
    }
    this.http = server.build();
  }

  /**
   * Starts a runner named {@code name} on 127.0.0.1 and a free port, logging nothing.
   *
   * @throws Exception if its server cannot start
   */
  public static FakeRunner start(String name) throws Exception {
    FakeRunner runner = new FakeRunner(name, 0, "127.0.0.1", JsonLog.to(name, line -> {}));
    runner.http.start();
    return runner;
  }

  /** Runs a fake runner: {@code --port N --name NAME --hang-on-submit true|false}. */
  public static void main(String[] args) {
    Options.Builder declare = Options.builder("fake-runner", "FAKE_RUNNER_");
    Option<Integer> port = declare.intOption("port", 9001, 0, 65_535, "the HTTP port");
    Option<String> name =
        declare.stringOption("name", "NAME", "runner", "the runner's name (in job ids)", s -> s);
    Option<String> hangs =
        declare.stringOption(
            "hang-on-submit", "BOOL", "false", "hang on every submit (a broken runner)", s -> s);
    ServiceMain.run(
        declare.build(),
        args,
        options -> {
          FakeRunner runner =
              new FakeRunner(
                  options.get(name), options.get(port), null, JsonLog.stdout("fake-runner"));
          runner.hangOnSubmit(Boolean.parseBoolean(options.get(hangs)));
          runner.http.start();
          return runner;
        });
  }

  private Reply health(Exchange exchange) {
    return Reply.json(200, Map.of("status", "healthy", "queue_depth", queueDepth()));
  }

  private Reply submit(Exchange exchange) throws Exception {
    submits.increment();
    jobRequests.increment();
    ObjectNode request = exchange.jsonBody(ObjectNode.class);
    if (request == null) {
      throw HttpError.badRequest("body: none (expected: a job)");
    }
    for (String field : FIELDS) {
      JsonNode value = request.get(field);
      if (value == null || !value.isTextual()) {
        throw HttpError.badRequest(field + ": missing (expected: a string)");
      }
    }
    hang.await(10, TimeUnit.MINUTES);
    String id = name + "-job-" + ids.incrementAndGet();
    jobs.put(id, new Job(request));
    return Reply.json(200, Map.of("job_id", id, "status", "queued"));
  }

  private Job job(Exchange exchange) {
    jobRequests.increment();
    String id = exchange.pathParam("id");
    Job job = jobs.get(id);
    if (job == null) {
      throw HttpError.notFound("unknown job: " + id);
    }
    return job;
  }

  private Reply status(Exchange exchange, boolean withMetrics) {
    Job job = job(exchange);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("job_id", exchange.pathParam("id"));
    Map<String, Object> metrics = job.metrics;
    answer.put("status", metrics == null ? "queued" : "completed");
    if (metrics != null && withMetrics) {
      answer.putAll(metrics);
    }
    return Reply.json(200, answer);
  }

  private Reply cancel(Exchange exchange) {
    job(exchange);
    jobs.remove(exchange.pathParam("id"));
    return Reply.json(200, Map.of("job_id", exchange.pathParam("id"), "status", "cancelled"));
  }

  private Reply complete(Exchange exchange) {
    finish(job(exchange));
    return Reply.json(200, Map.of("job_id", exchange.pathParam("id"), "status", "completed"));
  }

  /** Streams {@code bytes} bytes (default 1 MiB), chunk by chunk, never holding more than one. */
  private void output(Exchange exchange, Request request, Response response, Callback callback) {
    job(exchange);
    String given = exchange.query("bytes");
    long total;
    try {
      total = given == null ? 1 << 20 : Long.parseLong(given);
    } catch (NumberFormatException e) {
      throw HttpError.badRequest("bytes: '" + given + "' (expected: a whole number)");
    }
    if (total < 0) {
      throw HttpError.badRequest("bytes: " + total + " (expected: >= 0)");
    }
    response.getHeaders().put("Content-Type", "application/octet-stream");
    response.getHeaders().put("Content-Length", total);
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    new IteratingCallback() {
      long sent;

      @Override
      protected Action process() {
        if (sent >= total) {
          return Action.SUCCEEDED;
        }
        int n = (int) Math.min(chunk.capacity(), total - sent);
        sent += n;
        ByteBuffer slice = chunk.duplicate().clear().limit(n);
        response.write(sent >= total, slice, this);
        return Action.SCHEDULED;
      }

      @Override
      protected void onCompleteSuccess() {
        if (total == 0) {
          response.write(true, ByteBuffer.allocate(0), callback);
        } else {
          callback.succeeded();
        }
      }

      @Override
      protected void onCompleteFailure(Throwable cause) {
        callback.failed(cause);
      }
    }.iterate();
  }

  private static void finish(Job job) {
    if (job.metrics == null) {
      int hash = 0;
      for (String field : FIELDS) {
        hash = 31 * hash + job.request.path(field).asText().hashCode();
      }
      job.metrics = Map.of("score", Math.floorMod(hash, 1000) / 1000.0, "tests_passed", 42);
    }
  }

  /** Completes every queued job. */
  public void completeAll() {
    jobs.values().forEach(FakeRunner::finish);
  }

  /** Makes every submit hang (true) until called with false or the runner closes. */
  public void hangOnSubmit(boolean hangs) {
    CountDownLatch current = hang;
    if (hangs && current.getCount() == 0) {
      hang = new CountDownLatch(1);
    } else if (!hangs) {
      current.countDown();
    }
  }

  /** Returns how many of its jobs are not completed: what its health answer reports. */
  public int queueDepth() {
    int depth = 0;
    for (Job job : jobs.values()) {
      if (job.metrics == null) {
        depth++;
      }
    }
    return depth;
  }

  /** Returns how many submits it has received (hung ones included). */
  public long submits() {
    return submits.sum();
  }

  /** Returns how many requests it has had on its job routes (everything but health). */
  public long jobRequests() {
    return jobRequests.sum();
  }

  /** Returns its base URL, {@code http://127.0.0.1:port}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public int port() {
    return http.port();
  }

  /** Kills the runner: it stops listening and its jobs are gone with it. */
  @Override
  public void close() {
    hang.countDown();
    http.close();
  }

  @Override
  public String toString() {
    return "FakeRunner{" + name + " at " + url() + "}";
  }
}
