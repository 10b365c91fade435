package dev.lbkit.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * {@link LoadBalancer#executeAsync}: {@link Failover}'s policy (leases, attempts, retry rule, retry
 * budget) run on stages, with no thread of its own. The first attempt starts on the caller's
 * thread; each later one on the thread that completed the failed attempt's stage. Nothing blocks:
 * an attempt that finds no admissible server fails at once.
 *
 * <p>One {@link Run} per call holds the result and the attempt in flight. Its lease is closed
 * exactly once (by {@link Lease#close()}'s own guard) by whichever comes first: the attempt's stage
 * completing, or the result being completed from outside (cancelled, timed out by {@code
 * orTimeout}, completed by hand), which also cancels the attempt's stage. The lease is closed
 * before the result completes, so whoever the result wakes finds the slot free.
 *
 * <p>Races between the two are settled by two volatile fields read in opposite orders: a new
 * attempt publishes itself, then looks at the result; a completion from outside completes the
 * result, then looks at the attempt. At least one of them sees the other, and aborting twice is
 * harmless.
 */
final class AsyncFailover {

  private final Failover failover;

  AsyncFailover(Failover failover) {
    this.failover = failover;
  }

  <T> CompletableFuture<T> execute(Request request, AsyncBackendCall<T> call) {
    failover.budget.recordRequest();
    Run<T> run = new Run<>(failover, request, call);
    Lease first = failover.balancer.tryLease(request, null);
    if (first == null) {
      run.result.completeExceptionally(failover.balancer.refuse(request, null));
      return run.result;
    }
    // A completion from outside (cancel, orTimeout, complete) aborts the attempt in flight.
    CompletableFuture<T> unused = run.result.whenComplete(run);
    run.start(first);
    return run.result;
  }

  /** One call: its result, the servers tried, and the attempt in flight. */
  private static final class Run<T> implements BiConsumer<T, Throwable> {
    final CompletableFuture<T> result = new CompletableFuture<>();
    private final Failover failover;
    private final Request request;
    private final AsyncBackendCall<T> call;
    // The servers tried and the failures before the last: made on the first failure, so that a
    // call that succeeds at once allocates neither.
    private @Nullable List<Server> tried;
    private @Nullable List<Throwable> earlier;
    private @Nullable Server first;
    private @Nullable Throwable last;
    private volatile @Nullable Attempt<T> current;

    Run(Failover failover, Request request, AsyncBackendCall<T> call) {
      this.failover = failover;
      this.request = request;
      this.call = call;
    }

    /** Runs one attempt under {@code lease}. */
    void start(Lease lease) {
      List<Server> servers = tried;
      if (servers == null) {
        first = lease.server();
      } else {
        servers.add(lease.server());
      }
      Attempt<T> attempt = new Attempt<>(this, lease);
      current = attempt;
      if (result.isDone()) { // completed from outside before the attempt was published
        attempt.abort();
        return;
      }
      CompletionStage<T> stage;
      try {
        stage = call.call(lease.server());
        if (stage == null) {
          throw new NullPointerException("stage: null (expected: a CompletionStage from call)");
        }
      } catch (Throwable e) { // an Error or a sneaky checked exception is a failure too
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt(); // on the caller's thread, or a retry's
        }
        attempt.accept(null, e);
        return;
      }
      attempt.stage = stage;
      if (result.isDone()) { // completed from outside while the call started
        attempt.abort();
      }
      stage.whenComplete(attempt);
    }

    /** The result completed: from outside, abort the attempt in flight; else nothing is. */
    @Override
    public void accept(@Nullable T value, @Nullable Throwable failure) {
      Attempt<T> attempt = current;
      if (attempt != null) {
        attempt.abort();
      }
    }

    /** An attempt succeeded: its lease is closed. */
    void succeeded(@Nullable T value) {
      current = null;
      result.complete(value);
    }

    /** An attempt failed: its lease is closed. Retries, or completes the result. */
    void failed(Throwable failure) {
      current = null;
      Throwable cause = unwrap(failure);
      List<Server> servers = tried;
      if (servers == null) {
        servers = new ArrayList<>(Math.min(failover.maxAttempts, 16));
        servers.add(Objects.requireNonNull(first));
        tried = servers;
      }
      List<Throwable> failures = earlier;
      if (failures == null) {
        failures = new ArrayList<>(2);
        earlier = failures;
      }
      if (last != null) {
        failures.add(last);
      }
      last = cause;
      if (cause instanceof Error) {
        result.completeExceptionally(cause);
        return;
      }
      if (!(cause instanceof InterruptedException)
          && servers.size() < failover.maxAttempts
          && failover.retryable(request, failure)
          && failover.budget.tryRetry()) {
        Lease next = failover.balancer.tryLease(request, servers);
        if (next != null) {
          start(next);
          return;
        }
      }
      result.completeExceptionally(Failover.failed(servers, last, failures));
    }

    /** The failure a stage completed with, without the {@code CompletionException} around it. */
    private static Throwable unwrap(Throwable failure) {
      Throwable cause = failure.getCause();
      return failure instanceof CompletionException && cause != null ? cause : failure;
    }
  }

  /** One attempt: its lease and its stage; hears the stage complete. */
  private static final class Attempt<T> implements BiConsumer<T, Throwable> {
    private final Run<T> run;
    private final Lease lease;
    volatile @Nullable CompletionStage<T> stage;

    Attempt(Run<T> run, Lease lease) {
      this.run = run;
      this.lease = lease;
    }

    @Override
    public void accept(@Nullable T value, @Nullable Throwable failure) {
      if (run.result.isDone()) { // aborted: the lease is closed, or being closed
        lease.close();
        return;
      }
      if (failure == null) {
        lease.close();
        run.succeeded(value);
      } else {
        lease.fail(failure);
        lease.close();
        run.failed(failure);
      }
    }

    /** The result was completed from outside: fail and close the lease, cancel the stage. */
    void abort() {
      lease.fail(new CancellationException("the caller completed the future of executeAsync"));
      lease.close();
      CompletionStage<T> s = stage;
      if (s != null) {
        try {
          s.toCompletableFuture().cancel(true);
        } catch (RuntimeException e) { // a stage that cannot be a future, or refuses to cancel
          // Nothing to cancel with: the lease is closed, and the stage's outcome is ignored.
        }
      }
    }
  }
}
