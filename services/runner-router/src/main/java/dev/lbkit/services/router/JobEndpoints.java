package dev.lbkit.services.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lbkit.core.FailoverException;
import dev.lbkit.core.Lease;
import dev.lbkit.core.NoServerAvailableException;
import dev.lbkit.core.Server;
import dev.lbkit.services.forward.Call;
import dev.lbkit.services.forward.Failures;
import dev.lbkit.services.forward.HttpForwarder;
import dev.lbkit.services.kit.Exchange;
import dev.lbkit.services.kit.HttpError;
import dev.lbkit.services.kit.Json;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The job routes: submit (cache, commit resolution, routing), a job's status, metrics and
 * cancellation (sticky, with the router's job id in the answers and completed metrics cached), and
 * every other {@code /v1/jobs/{job_id}/...} route streamed to the job's runner unchanged.
 */
final class JobEndpoints {

  private static final String CACHED_PREFIX = "cache_";
  private static final String JOB_PREFIX = "job_";

  private final Runners runners;
  private final HttpForwarder forwarder;
  private final ResultCache cache;
  private final JobTable jobs;
  private final CommitResolver commits;
  private final Duration requestTimeout;
  private final JsonLog log;

  JobEndpoints(
      Runners runners,
      HttpForwarder forwarder,
      ResultCache cache,
      JobTable jobs,
      CommitResolver commits,
      Duration requestTimeout,
      JsonLog log) {
    this.runners = runners;
    this.forwarder = forwarder;
    this.cache = cache;
    this.jobs = jobs;
    this.commits = commits;
    this.requestTimeout = requestTimeout;
    this.log = log;
  }

  // ---------------------------------------------------------------- submit

  Reply submit(Exchange exchange) throws Exception {
    ObjectNode body = exchange.jsonBody(ObjectNode.class);
    if (body == null) {
      throw HttpError.badRequest(
          "body: none (expected: a JSON object with repo_url, branch, path, weight_class)");
    }
    String repoUrl = required(body, "repo_url");
    String branch = required(body, "branch");
    String path = required(body, "path");
    String weightClass = required(body, "weight_class");
    JsonNode given = body.get("commit");
    String commit;
    if (given == null || given.isNull() || (given.isTextual() && given.asText().isBlank())) {
      commit = commits.resolve(repoUrl, branch);
      body.put("commit", commit);
      exchange.logField("commit_resolved", true);
    } else if (given.isTextual()) {
      commit = given.asText();
    } else {
      throw HttpError.badRequest("commit: " + given.getNodeType() + " (expected: a string)");
    }
    ResultKey key = new ResultKey(repoUrl, branch, commit, path, weightClass);
    Optional<CachedResult> cached = cache.get(key);
    if (cached.isPresent()) {
      String id = CACHED_PREFIX + UUID.randomUUID();
      jobs.put(new JobRoute(id, null, id, key, jobs.nowMillis()));
      exchange.logField("job_id", id).logField("from_cache", true);
      return Reply.json(200, fromCache(id, cached.get()));
    }
    Runners.Submitted submitted = awaitSubmit(runners.submit(Json.writeBytes(body)));
    ObjectNode answer = objectOf(submitted.reply().bodyAsString(), "the submit");
    if (!submitted.reply().ok()) {
      return Reply.json(submitted.reply().status(), answer); // the runner's 4xx, as it is
    }
    JsonNode remoteId = answer.get("job_id");
    if (remoteId == null || !remoteId.isValueNode() || remoteId.asText().isEmpty()) {
      throw new HttpError(
          502, "bad_gateway", submitted.runner().id() + " answered the submit without a job_id");
    }
    String id = JOB_PREFIX + UUID.randomUUID();
    jobs.put(new JobRoute(id, submitted.runner().id(), remoteId.asText(), key, jobs.nowMillis()));
    exchange.logField("job_id", id).logField("runner", submitted.runner().id());
    answer.put("job_id", id);
    answer.put("from_cache", false);
    return Reply.json(submitted.reply().status(), answer);
  }

  private Runners.Submitted awaitSubmit(CompletableFuture<Runners.Submitted> submit)
      throws InterruptedException {
    try {
      return submit.get(requestTimeout.toMillis() * 4 + 5_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      submit.cancel(true);
      throw new HttpError(504, "gateway_timeout", "no runner answered the submit in time");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof NoServerAvailableException refusal) {
        throw new HttpError(
            503,
            "no_runner_available",
            "no healthy runner ("
                + refusal.refusal().name().toLowerCase(java.util.Locale.ROOT)
                + ")",
            refusal
                .retryAfter()
                .map(d -> Map.of("Retry-After", Long.toString(Math.max(1, d.toSeconds()))))
                .orElse(Map.of()));
      }
      int attempts = cause instanceof FailoverException failover ? failover.attempts() : 1;
      Throwable last =
          cause instanceof FailoverException && cause.getCause() != null ? cause.getCause() : cause;
      int status = Failures.statusFor(cause);
      throw new HttpError(
          status,
          status == 504 ? "gateway_timeout" : "bad_gateway",
          "no runner took the job: "
              + attempts
              + (attempts == 1 ? " runner" : " runners")
              + " tried; the last: "
              + Failures.reasonFor(last));
    }
  }

  private static String required(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw HttpError.badRequest(field + ": missing (expected: a string)");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw HttpError.badRequest(field + ": " + value + " (expected: a non-empty string)");
    }
    return value.asText();
  }

  // ---------------------------------------------------------------- status, metrics, cancel

  Reply status(Exchange exchange) throws Exception {
    return jobCall(exchange, "GET", "");
  }

  Reply metrics(Exchange exchange) throws Exception {
    return jobCall(exchange, "GET", "/metrics");
  }

  Reply cancel(Exchange exchange) throws Exception {
    return jobCall(exchange, "DELETE", "");
  }

  private Reply jobCall(Exchange exchange, String method, String suffix) throws Exception {
    JobRoute job = job(exchange.pathParam("job_id"));
    if (job.fromCache()) {
      return cachedJob(job, method);
    }
    Server runner = runnerOf(job);
    Call call =
        Call.of(method, "/v1/jobs/" + encode(job.remoteId()) + suffix).timeout(requestTimeout);
    Optional<Lease> lease = runners.lease(runner);
    CompletableFuture<dev.lbkit.services.forward.Reply> sent =
        lease.isPresent() ? forwarder.send(lease.get(), call) : forwarder.send(runner, call);
    dev.lbkit.services.forward.Reply reply;
    try {
      reply = sent.get(requestTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      sent.cancel(true);
      int status = Failures.statusFor(e);
      log.warn("job_unreachable")
          .field("job_id", job.jobId())
          .field("runner", runner.id())
          .field("error", Failures.reasonFor(e))
          .write();
      throw status == 504
          ? new HttpError(
              504,
              "gateway_timeout",
              "job " + job.jobId() + ": its runner did not answer within " + requestTimeout)
          : stranded(job);
    }
    ObjectNode answer = objectOf(reply.bodyAsString(), "the job request");
    if (reply.ok()) {
      answer.put("job_id", job.jobId());
      answer.put("from_cache", false);
      if (method.equals("DELETE")) {
        jobs.remove(job.jobId());
      } else if (!suffix.isEmpty() && "completed".equals(answer.path("status").asText())) {
        ObjectNode metrics = answer.deepCopy();
        metrics.remove("job_id");
        metrics.remove("status");
        metrics.remove("from_cache");
        cache.put(job.key(), Json.write(metrics));
        exchange.logField("cached", true);
      }
    }
    return Reply.json(reply.status(), answer);
  }

  private Reply cachedJob(JobRoute job, String method) throws Exception {
    if (method.equals("DELETE")) {
      jobs.remove(job.jobId());
      return Reply.json(
          200, Map.of("job_id", job.jobId(), "status", "cancelled", "from_cache", true));
    }
    Optional<CachedResult> cached = cache.peek(job.key());
    if (cached.isEmpty()) {
      throw HttpError.notFound(
          "job " + job.jobId() + ": its cached result has expired; submit it again");
    }
    return Reply.json(200, fromCache(job.jobId(), cached.get()));
  }

  // ---------------------------------------------------------------- any other job route

  /** Streams {@code /v1/jobs/{job_id}/...} to the job's runner, both bodies unbuffered. */
  void forward(Exchange exchange, Request request, Response response, Callback callback) {
    JobRoute job = job(exchange.pathParam("job_id"));
    if (job.fromCache()) {
      throw HttpError.notFound(
          "job " + job.jobId() + " was answered from the cache: it has no runner to ask");
    }
    Server runner = runnerOf(job);
    String raw = request.getHttpURI().getPath();
    String afterJobs = raw.substring("/v1/jobs/".length());
    int slash = afterJobs.indexOf('/');
    String rest = slash < 0 ? "" : afterJobs.substring(slash);
    String query = request.getHttpURI().getQuery();
    String target =
        "/v1/jobs/" + encode(job.remoteId()) + rest + (query == null ? "" : "?" + query);
    exchange.logField("runner", runner.id());
    Optional<Lease> lease = runners.lease(runner);
    // the outcome is logged by the forwarder and recorded on the lease; nothing to wait for
    var unused =
        lease.isPresent()
            ? forwarder.forward(request, response, callback, lease.get(), target)
            : forwarder.forward(request, response, callback, runner, target);
  }

  // ---------------------------------------------------------------- shared

  private JobRoute job(String id) {
    JobRoute job = jobs.get(id);
    if (job == null) {
      throw HttpError.notFound("unknown job: " + id + " (not submitted here, or expired)");
    }
    return job;
  }

  /** Returns the job's runner; 502 naming the job when it is gone (strict stickiness). */
  private Server runnerOf(JobRoute job) {
    Optional<Runners.Runner> runner = runners.runner(job.runner());
    if (runner.isEmpty() || !runners.isAvailable(runner.get().server())) {
      throw stranded(job);
    }
    return runner.get().server();
  }

  private HttpError stranded(JobRoute job) {
    log.warn("job_stranded").field("job_id", job.jobId()).field("runner", job.runner()).write();
    return new HttpError(
        502,
        "runner_unavailable",
        "job "
            + job.jobId()
            + " is stranded: the runner that took it ("
            + job.runner()
            + ") is unavailable; submit the job again");
  }

  private static ObjectNode fromCache(String id, CachedResult cached) {
    ObjectNode answer = Json.mapper().createObjectNode();
    answer.put("job_id", id);
    answer.put("status", "completed");
    answer.put("from_cache", true);
    JsonNode metrics = Json.parse(cached.metricsJson());
    if (metrics instanceof ObjectNode fields) {
      fields.remove("job_id");
      fields.remove("status");
      fields.remove("from_cache");
      answer.setAll(fields);
    }
    return answer;
  }

  private static ObjectNode objectOf(String body, String what) {
    try {
      JsonNode node = Json.parse(body);
      if (node instanceof ObjectNode object) {
        return object;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw new HttpError(502, "bad_gateway", "the runner answered " + what + " with no JSON object");
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
