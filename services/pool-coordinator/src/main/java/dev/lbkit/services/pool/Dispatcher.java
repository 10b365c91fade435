package dev.lbkit.services.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import dev.lbkit.health.Scheduler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The pool's queue and dispatcher: takes jobs, places each on the least-loaded worker that has a
 * free slot, follows it there to the end, and moves it to another worker if its worker fails it.
 *
 * <h2>How a job moves</h2>
 *
 * A job is in exactly one place at a time, and moves only under {@code lock}: in the FIFO queue, or
 * on one worker (one {@link Job.Attempt}, holding one of that worker's slots as a {@link Lease}),
 * or finished. {@link #dispatch()} walks the queue from its head and places each job on the
 * admissible worker (healthy, proven, not draining, under its own {@code max_concurrent_jobs},
 * which the balancer enforces per server) running the fewest jobs, ties taken in turn. The lease is
 * held until the worker reports the job finished, so the balancer's count of a worker's leases is
 * its active job count, always current.
 *
 * <p>The asynchronous protocol: {@code POST /submit} to the worker (the client's body, as sent)
 * returns the worker's own job id; then {@code GET /status/{id}} every poll interval, until the
 * worker reports {@code completed} or {@code failed}.
 *
 * <h2>Whose fault</h2>
 *
 * <ul>
 *   <li>A job that fails by its own doing (the worker ran it and reports {@code failed}, or refuses
 *       its body as malformed: 400, 413, 415, 422) is a failed job. Its worker is fine.
 *   <li>A worker that is down, refuses the job otherwise (429, 5xx, a wrong answer) or times out,
 *       or stops answering about a job it runs, is failing: it is marked unhealthy at once (passive
 *       ejection: it takes nothing until a health check proves it again), and the job goes back to
 *       the head of the queue for another worker. Its attempt does not count against it: it waits
 *       for a free slot, however long the others are busy, until its deadline; only if every
 *       allowlisted worker has failed it does it go back to one of them (once proven again).
 *   <li>A worker that answers 404 for a job it took has lost it (it restarted): the job goes back
 *       to the queue, and the worker, which answers, stays in the pool.
 * </ul>
 *
 * A job is only re-queued once its attempt is over, so it never runs on two workers at once,
 * provided a worker that cannot be reached is not running it. A worker that times out on {@code
 * /submit}, or is cut off while it runs a job, may still run it: the protocol has no cancel.
 *
 * <p>Thread-safe. Nothing waits for a slot: {@link #dispatch()} runs whenever one may have freed (a
 * submit, a job finishing, a worker turning healthy). No call to a worker is made under the lock.
 */
final class Dispatcher implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
  private static final Request SUBMIT = Request.builder().method("POST").path("/submit").build();

  /**
   * How the dispatcher times its work.
   *
   * @param requestTimeout how long a worker has to answer {@code /submit} or {@code /status}
   * @param pollInterval how often a dispatched job's status is asked for
   * @param jobDeadline how long after its submission a job may still wait for a worker
   * @param retention how long a finished job's record (and its outputs' route) is kept
   * @param lostAfter how many status polls in a row may fail (time out or 5xx) before the worker is
   *     taken as failed; a refused connection counts as failed at once
   */
  record Timing(
      Duration requestTimeout,
      Duration pollInterval,
      Duration jobDeadline,
      Duration retention,
      int lostAfter) {}

  private final LoadBalancer lb;
  private final Map<Server, WorkerSpec> workers;
  private final WorkerClient client;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final Clock wallClock;
  private final Timing timing;

  private final Object lock = new Object();
  private final ArrayDeque<Job> queue = new ArrayDeque<>(); // guarded by lock
  private final Map<String, Job> jobs = new ConcurrentHashMap<>(); // values guarded by lock
  private final Map<Server, LongAdder> workerFailures = new ConcurrentHashMap<>();
  private int rotation; // guarded by lock; breaks ties between equally loaded workers
  private boolean closed; // guarded by lock

  Dispatcher(
      LoadBalancer lb,
      Map<Server, WorkerSpec> workers,
      WorkerClient client,
      Scheduler scheduler,
      Clock wallClock,
      Timing timing) {
    this.lb = lb;
    this.workers = Map.copyOf(workers);
    this.client = client;
    this.scheduler = scheduler;
    this.ticker = lb.ticker();
    this.wallClock = wallClock;
    this.timing = timing;
  }

  // ---------------------------------------------------------------- jobs

  /**
   * Queues a job whose body (and content type) go to its worker's {@code /submit} as they are, and
   * dispatches at once if a worker has a free slot.
   *
   * @return the job's id, {@code pool-} and a random UUID
   * @throws IllegalStateException if the dispatcher is closed
   */
  String submit(byte[] body, @Nullable String contentType) {
    Objects.requireNonNull(body, "body");
    long deadline = ticker.read() + timing.jobDeadline().toNanos();
    Job job =
        new Job("pool-" + UUID.randomUUID(), body, contentType, wallClock.instant(), deadline);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("dispatcher: closed (expected: open)");
      }
      jobs.put(job.id, job);
      queue.addLast(job);
    }
    Scheduler.Cancellable unused =
        scheduler.schedule(() -> expire(job), timing.jobDeadline().toNanos());
    dispatch();
    return job.id;
  }

  /** Returns what is known of job {@code jobId}, or empty if there is no such job (any more). */
  Optional<JobView> view(String jobId) {
    Job job = jobs.get(Objects.requireNonNull(jobId, "jobId"));
    if (job == null) {
      return Optional.empty();
    }
    synchronized (lock) {
      return Optional.of(job.view());
    }
  }

  /**
   * Asks the job's worker for its status now (as a client's {@code GET /status} does), feeds the
   * answer to the job as a poll would, and returns what is known then. A job that is not on a
   * worker answers at once.
   */
  CompletableFuture<Optional<JobView>> refresh(String jobId) {
    Job job = jobs.get(Objects.requireNonNull(jobId, "jobId"));
    if (job == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Job.Attempt attempt;
    synchronized (lock) {
      attempt = job.attempt;
      if (attempt == null || attempt.remoteId == null || attempt.over) {
        return CompletableFuture.completedFuture(Optional.of(job.view()));
      }
    }
    return askStatus(attempt).handle((done, e) -> view(jobId));
  }

  /** Returns the number of jobs waiting in the queue. */
  int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** Returns how many times {@code worker} failed a job (down, refused, timed out, lost it). */
  long workerFailures(Server worker) {
    LongAdder failures = workerFailures.get(worker);
    return failures == null ? 0 : failures.sum();
  }

  /** Returns the number of jobs known, finished ones within their retention included. */
  int known() {
    return jobs.size();
  }

  // ---------------------------------------------------------------- placing

  /** Places queued jobs, head first, for as long as workers have free slots. */
  void dispatch() {
    List<Job.Attempt> placed = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      long now = ticker.read();
      for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
        Job job = it.next();
        if (now - job.deadline >= 0) {
          it.remove();
          finish(job, JobState.FAILED, deadlineMessage());
          continue;
        }
        Job.Attempt attempt = place(job);
        if (attempt == null) {
          if (job.failedOn.isEmpty()) {
            break; // no worker can take any job now
          }
          continue; // the workers with room failed this one; a later job may go there
        }
        it.remove();
        placed.add(attempt);
      }
    }
    placed.forEach(this::send); // the exchanges start outside the lock
  }

  /** Returns an attempt of {@code job} on the least-loaded admissible worker, or null. */
  private Job.@Nullable Attempt place(Job job) {
    List<Server> members = lb.servers();
    if (job.failedOn.containsAll(members)) {
      job.failedOn.clear(); // every worker failed it: any of them that is proven again will do
    }
    int n = members.size();
    int start = n == 0 ? 0 : Math.floorMod(rotation, n);
    Server best = null;
    for (int i = 0; i < n; i++) {
      Server server = members.get((start + i) % n);
      if (admissible(server, job)
          && (best == null || server.activeConnections() < best.activeConnections())) {
        best = server;
      }
    }
    if (best == null) {
      return null;
    }
    Optional<Lease> lease = lb.tryAcquire(SUBMIT, best);
    if (lease.isEmpty()) {
      return null; // turned unhealthy in between: the next dispatch looks again
    }
    rotation++;
    WorkerSpec worker = Objects.requireNonNull(workers.get(best), "allowlisted");
    Job.Attempt attempt = new Job.Attempt(job, worker, lease.get());
    job.state = JobState.DISPATCHED;
    job.attempt = attempt;
    job.worker = worker;
    job.remoteId = null;
    job.workerStatus = null;
    job.error = null;
    job.attempts++;
    return attempt;
  }

  private boolean admissible(Server server, Job job) {
    WorkerSpec worker = workers.get(server);
    return worker != null
        && !job.failedOn.contains(server)
        && server.isHealthy()
        && !lb.isDraining(server)
        && !lb.isEjected(server)
        && server.activeConnections() < worker.maxConcurrentJobs();
  }

  // ---------------------------------------------------------------- the worker's answers

  private void send(Job.Attempt attempt) {
    byte[] body;
    synchronized (lock) {
      body = attempt.job.body;
    }
    if (body == null) { // finished meanwhile (closed)
      attempt.lease.close();
      return;
    }
    CompletableFuture<WorkerClient.Reply> reply =
        client.post(
            attempt.server(), "/submit", body, attempt.job.contentType, timing.requestTimeout());
    CompletableFuture<?> unused =
        reply.whenComplete((r, failure) -> submitted(attempt, r, failure));
  }

  private void submitted(
      Job.Attempt attempt, WorkerClient.@Nullable Reply reply, @Nullable Throwable failure) {
    if (failure != null || reply == null) {
      workerFailed(attempt, "POST /submit: " + describe(failure), true);
      return;
    }
    int status = reply.status();
    if (status >= 200 && status < 300) {
      String remoteId = reply.text("job_id");
      if (remoteId == null || remoteId.isEmpty()) {
        workerFailed(attempt, "POST /submit: HTTP " + status + " without a job_id", true);
        return;
      }
      synchronized (lock) {
        if (!isCurrent(attempt)) {
          return;
        }
        attempt.remoteId = remoteId;
        attempt.job.remoteId = remoteId;
        attempt.job.workerStatus = reply.json();
      }
      LOG.log(
          Level.DEBUG,
          () -> attempt.job.id + " went to " + attempt.worker.endpoint() + " as " + remoteId);
      schedulePoll(attempt);
    } else if (isTheJobsFault(status)) {
      jobFailed(attempt, "the worker refused the job: HTTP " + status + errorOf(reply));
    } else {
      workerFailed(attempt, "POST /submit: HTTP " + status + errorOf(reply), true);
    }
  }

  /** A status a worker answers {@code /submit} with when the job's body is what is wrong. */
  private static boolean isTheJobsFault(int status) {
    return status == 400 || status == 413 || status == 415 || status == 422;
  }

  /**
   * Schedules the attempt's next status poll, one poll interval from now, replacing a pending one
   * (after a client's {@code GET /status} asked in between).
   */
  private void schedulePoll(Job.Attempt attempt) {
    synchronized (lock) {
      Scheduler.Cancellable pending = attempt.nextPoll;
      if (pending != null) {
        pending.cancel();
      }
      attempt.nextPoll =
          isCurrent(attempt) && !closed
              ? scheduler.schedule(() -> poll(attempt), timing.pollInterval().toNanos())
              : null;
    }
  }

  private void poll(Job.Attempt attempt) {
    CompletableFuture<Void> unused = askStatus(attempt);
  }

  /** Asks the worker for the attempt's status; the future completes once the answer is fed in. */
  private CompletableFuture<Void> askStatus(Job.Attempt attempt) {
    String remoteId = Objects.requireNonNull(attempt.remoteId, "remoteId");
    String path = "/status/" + PoolService.PathSegments.encode(remoteId);
    return client
        .get(attempt.server(), path, timing.requestTimeout())
        .handle(
            (reply, failure) -> {
              polled(attempt, reply, failure);
              return null;
            });
  }

  private void polled(
      Job.Attempt attempt, WorkerClient.@Nullable Reply reply, @Nullable Throwable failure) {
    JsonNode json = reply == null ? null : reply.json();
    String status = json == null ? null : json.path("status").asText(null);
    if (reply != null && reply.status() == 404) {
      workerFailed(attempt, "GET /status: HTTP 404, the worker no longer knows the job", false);
      return;
    }
    if (failure != null || reply == null || reply.status() != 200 || json == null) {
      boolean refused = unwrap(failure) instanceof ConnectException;
      int failures;
      synchronized (lock) {
        failures = ++attempt.pollFailures;
      }
      if (refused || failures >= timing.lostAfter()) {
        String why = reply == null ? describe(failure) : "HTTP " + reply.status();
        workerFailed(attempt, "GET /status: " + why, true);
      } else {
        schedulePoll(attempt);
      }
      return;
    }
    boolean finished;
    synchronized (lock) {
      if (!isCurrent(attempt)) {
        return;
      }
      Job job = attempt.job;
      attempt.pollFailures = 0;
      job.workerStatus = json;
      finished = true;
      if ("completed".equals(status)) {
        over(attempt);
        finish(job, JobState.COMPLETED, null);
      } else if ("failed".equals(status)) {
        over(attempt);
        finish(job, JobState.FAILED, "the job failed on its worker");
      } else {
        finished = false;
        if ("running".equals(status)) {
          job.state = JobState.RUNNING;
        }
      }
    }
    if (finished) {
      attempt.lease.close(); // the worker did its part, whatever the job did
      dispatch();
    } else {
      schedulePoll(attempt);
    }
  }

  // ---------------------------------------------------------------- endings

  /** The job failed by its own doing: it is over; the worker is fine. */
  private void jobFailed(Job.Attempt attempt, String reason) {
    synchronized (lock) {
      if (!isCurrent(attempt)) {
        return;
      }
      over(attempt);
      finish(attempt.job, JobState.FAILED, reason);
    }
    attempt.lease.close();
    LOG.log(Level.INFO, () -> attempt.job.id + " failed: " + reason);
    dispatch();
  }

  /**
   * The worker failed the job: unless {@code markDown} is false (it answers, but lost the job), it
   * is marked unhealthy first, so that no dispatch sends it anything until a health check proves it
   * again; then the job goes back to the head of the queue, for another worker.
   */
  private void workerFailed(Job.Attempt attempt, String reason, boolean markDown) {
    Server server = attempt.server();
    synchronized (lock) {
      if (!isCurrent(attempt)) {
        return;
      }
      if (markDown) {
        server.setHealthy(false); // before the slot frees up: passive ejection
      }
      workerFailures.computeIfAbsent(server, s -> new LongAdder()).increment();
      over(attempt);
      Job job = attempt.job;
      job.failedOn.add(server);
      job.error = attempt.worker.endpoint() + " failed it: " + reason;
      if (closed) {
        // abandoned with the rest
      } else if (ticker.read() - job.deadline >= 0) {
        finish(job, JobState.FAILED, deadlineMessage() + "; " + job.error);
      } else {
        job.state = JobState.QUEUED;
        queue.addFirst(job); // it keeps its turn
      }
    }
    attempt.lease.fail(new IOException(reason));
    attempt.lease.close();
    LOG.log(
        Level.WARNING,
        () ->
            attempt.job.id
                + ": worker "
                + attempt.worker.endpoint()
                + (markDown ? " marked down" : " lost the job")
                + ", job re-queued: "
                + reason);
    dispatch();
  }

  private boolean isCurrent(Job.Attempt attempt) {
    return !attempt.over && attempt.job.attempt == attempt;
  }

  /** Ends the attempt (guarded by lock); its lease is closed by the caller, outside the lock. */
  private void over(Job.Attempt attempt) {
    attempt.over = true;
    attempt.job.attempt = null;
    Scheduler.Cancellable poll = attempt.nextPoll;
    if (poll != null) {
      poll.cancel();
    }
  }

  /** Finishes the job (guarded by lock) and forgets it once its retention has run out. */
  private void finish(Job job, JobState state, @Nullable String error) {
    job.state = state;
    job.error = error;
    job.body = null;
    job.finishedAt = wallClock.instant();
    Scheduler.Cancellable unused =
        scheduler.schedule(() -> jobs.remove(job.id, job), timing.retention().toNanos());
  }

  /** Fails the job if it still waits in the queue at its deadline. */
  private void expire(Job job) {
    synchronized (lock) {
      if (job.state != JobState.QUEUED || closed || !queue.remove(job)) {
        return;
      }
      finish(job, JobState.FAILED, deadlineMessage());
    }
    LOG.log(Level.INFO, () -> job.id + " failed: " + deadlineMessage());
  }

  private String deadlineMessage() {
    return "no worker took the job within its deadline (" + timing.jobDeadline() + ")";
  }

  private static String describe(@Nullable Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause == null) {
      return "no answer";
    }
    if (cause instanceof TimeoutException) {
      return "timed out";
    }
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  private static @Nullable Throwable unwrap(@Nullable Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String errorOf(WorkerClient.Reply reply) {
    String message = reply.text("message"); // the service kit's
    String error = message != null ? message : reply.text("error"); // sandrun's
    return error == null
        ? ""
        : " (" + (error.length() <= 200 ? error : error.substring(0, 200)) + ")";
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops dispatching and polling; queued and running jobs are abandoned. Idempotent. */
  @Override
  public void close() {
    List<Lease> leases = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      for (Job job : jobs.values()) {
        Job.Attempt attempt = job.attempt;
        if (attempt != null) {
          over(attempt);
          leases.add(attempt.lease);
        }
      }
    }
    leases.forEach(Lease::close);
  }
}
