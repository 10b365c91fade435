package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadBalancer#executeAsync} with stages the test completes by hand: leases, failover, the
 * retry rule, cancellation, and the races between a stage completing and the caller completing the
 * future.
 */
class ExecuteAsyncTest {

  private static final Request POST = Request.builder().method("POST").path("/jobs").build();
  private static final Request GET = Request.builder().method("GET").path("/jobs/1").build();

  /** Counts the leases closed, and their failures, per balancer. */
  private static final class Closed implements LoadBalancerListener {
    final AtomicInteger leases = new AtomicInteger();
    final List<Throwable> failures = new ArrayList<>();

    @Override
    public synchronized void onLeaseClosed(
        Request request, Server server, long nanos, Throwable failure) {
      leases.incrementAndGet();
      if (failure != null) {
        failures.add(failure);
      }
    }
  }

  private static LoadBalancer balancer(List<Server> servers, Closed closed) {
    return LoadBalancer.builder(servers)
        .retryBudget(RetryBudget.create(1.0, 100, new FakeTicker()))
        .listener(closed)
        .build();
  }

  @Test
  void aSuccessClosesTheLeaseBeforeTheFutureCompletes() {
    List<Server> s = servers(1);
    Closed closed = new Closed();
    LoadBalancer lb = balancer(s, closed);
    CompletableFuture<String> stage = new CompletableFuture<>();
    CompletableFuture<String> result = lb.executeAsync(POST, server -> stage);
    assertThat(s.get(0).activeConnections()).isEqualTo(1);
    assertThat(result).isNotDone();

    AtomicInteger activeSeen = new AtomicInteger(-1);
    CompletableFuture<Void> unused =
        result.thenRun(() -> activeSeen.set(s.get(0).activeConnections()));
    stage.complete("ok");

    assertThat(result.join()).isEqualTo("ok");
    assertThat(activeSeen.get()).isZero();
    assertThat(closed.leases.get()).isEqualTo(1);
    assertThat(closed.failures).isEmpty();
  }

  @Test
  void theCallerThreadIsNeverBlockedAndNoServerFailsTheFutureAtOnce() {
    List<Server> s = servers(1);
    s.get(0).setHealthy(false);
    LoadBalancer lb = balancer(s, new Closed());
    CompletableFuture<String> result =
        lb.executeAsync(POST, server -> CompletableFuture.completedFuture("never"));
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join)
        .hasCauseInstanceOf(NoServerAvailableException.class)
        .cause()
        .satisfies(
            e ->
                assertThat(((NoServerAvailableException) e).refusal())
                    .isEqualTo(Refusal.UNHEALTHY));
  }

  @Test
  void aRefusedConnectionOfAPostIsRetriedOnAnotherServer() {
    List<Server> s = servers(2);
    Closed closed = new Closed();
    LoadBalancer lb = balancer(s, closed);
    List<Server> called = new ArrayList<>();
    CompletableFuture<String> result =
        lb.executeAsync(
            POST,
            server -> {
              called.add(server);
              return called.size() == 1
                  ? CompletableFuture.failedFuture(
                      new CompletionException(new ConnectException("refused")))
                  : CompletableFuture.completedFuture(server.id());
            });
    assertThat(result.join()).isEqualTo(called.get(1).id());
    assertThat(called).doesNotHaveDuplicates().hasSize(2);
    assertThat(closed.leases.get()).isEqualTo(2);
    assertThat(closed.failures).hasSize(1);
    assertThat(s).allSatisfy(server -> assertThat(server.activeConnections()).isZero());
  }

  @Test
  void anApplicationFailureOfAPostIsTriedOnceAndSurfacesAsFailoverException() {
    List<Server> s = servers(3);
    LoadBalancer lb = balancer(s, new Closed());
    IllegalStateException app = new IllegalStateException("422 from the application");
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> result =
        lb.executeAsync(
            POST,
            server -> {
              calls.incrementAndGet();
              return CompletableFuture.supplyAsync(
                  () -> {
                    throw app; // completes with CompletionException(app)
                  },
                  Runnable::run);
            });
    assertThatThrownBy(result::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(FailoverException.class)
        .satisfies(e -> assertThat(((FailoverException) e).attempts()).isEqualTo(1))
        .cause()
        .isSameAs(app);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void anIoFailureOfAGetIsRetriedUpToTheAttempts() {
    List<Server> s = servers(5);
    LoadBalancer lb =
        LoadBalancer.builder(s)
            .maxAttempts(3)
            .retryBudget(RetryBudget.create(1.0, 100, new FakeTicker()))
            .build();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> result =
        lb.executeAsync(
            GET,
            server ->
                CompletableFuture.failedFuture(
                    new IOException("reset by " + server.id() + " #" + calls.incrementAndGet())));
    assertThatThrownBy(result::join)
        .cause()
        .isInstanceOf(FailoverException.class)
        .satisfies(
            e -> {
              FailoverException f = (FailoverException) e;
              assertThat(f.attempts()).isEqualTo(3);
              assertThat(f.getCause()).hasMessageEndingWith("#3");
              assertThat(f.getSuppressed()).hasSize(2);
            });
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void aCallThatThrowsOrReturnsNullFailsItsAttempt() {
    List<Server> s = servers(2);
    Closed closed = new Closed();
    LoadBalancer lb = LoadBalancer.builder(s).retryRule(RetryRule.never()).listener(closed).build();
    CompletableFuture<String> thrown =
        lb.executeAsync(
            GET,
            server -> {
              throw new IOException("sync");
            });
    assertThatThrownBy(thrown::join).cause().isInstanceOf(FailoverException.class);
    CompletableFuture<String> nothing = lb.executeAsync(GET, server -> null);
    assertThatThrownBy(nothing::join)
        .cause()
        .isInstanceOf(FailoverException.class)
        .cause()
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("stage: null");
    assertThat(closed.failures).hasSize(2);
    assertThat(s).allSatisfy(server -> assertThat(server.activeConnections()).isZero());
  }

  @Test
  void anErrorIsNotRetriedAndCompletesTheFutureAsItIs() {
    List<Server> s = servers(3);
    LoadBalancer lb = LoadBalancer.builder(s).retryRule(RetryRule.always()).build();
    AtomicInteger calls = new AtomicInteger();
    StackOverflowError error = new StackOverflowError("deep");
    CompletableFuture<String> result =
        lb.executeAsync(
            GET,
            server -> {
              calls.incrementAndGet();
              return CompletableFuture.failedFuture(error);
            });
    assertThatThrownBy(result::join).cause().isSameAs(error);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void cancellingTheFutureCancelsTheStageAndFreesTheSlotBeforeCancelReturns() {
    List<Server> s = servers(1);
    Closed closed = new Closed();
    LoadBalancer lb = balancer(s, closed);
    CompletableFuture<String> stage = new CompletableFuture<>();
    CompletableFuture<String> result = lb.executeAsync(GET, server -> stage);

    assertThat(result.cancel(true)).isTrue();

    assertThat(stage.isCancelled()).isTrue();
    assertThat(s.get(0).activeConnections()).isZero();
    assertThat(closed.leases.get()).isEqualTo(1);
    assertThat(closed.failures).singleElement().isInstanceOf(CancellationException.class);
    stage.complete("late"); // ignored: the lease is closed once
    assertThat(closed.leases.get()).isEqualTo(1);
  }

  @Test
  void aTimeoutOnTheFutureAbortsTheAttemptLikeACancel() throws Exception {
    List<Server> s = servers(1);
    LoadBalancer lb = balancer(s, new Closed());
    CompletableFuture<String> stage = new CompletableFuture<>();
    CompletableFuture<String> result =
        lb.executeAsync(GET, server -> stage).orTimeout(1, TimeUnit.MILLISECONDS);
    Throwable failure = result.handle((v, e) -> e).get(30, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(TimeoutException.class);
    // orTimeout completes the very future executeAsync returned.
    assertThat(stage.isCancelled()).isTrue();
    assertThat(s.get(0).activeConnections()).isZero();
  }

  @Test
  void aStageThatCannotBeCancelledStillHasItsLeaseClosedOnce() {
    List<Server> s = servers(1);
    Closed closed = new Closed();
    LoadBalancer lb = balancer(s, closed);
    CompletableFuture<String> inner = new CompletableFuture<>();
    CompletableFuture<String> result =
        lb.executeAsync(GET, server -> inner.minimalCompletionStage());
    result.cancel(true);
    assertThat(s.get(0).activeConnections()).isZero();
    inner.complete("late");
    assertThat(closed.leases.get()).isEqualTo(1);
  }

  @Test
  void aCancelRacingTheStageClosesEveryLeaseExactlyOnce() throws Exception {
    List<Server> s = servers(2);
    Closed closed = new Closed();
    LoadBalancer lb = balancer(s, closed);
    int n = 2_000;
    List<CompletableFuture<String>> stages = new ArrayList<>();
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CompletableFuture<String> stage = new CompletableFuture<>();
      stages.add(stage);
      results.add(lb.executeAsync(GET, server -> stage));
    }
    race( // the race: the stage completes while the caller cancels
        () -> stages.forEach(st -> st.complete("done")),
        () -> results.forEach(r -> r.cancel(true)));
    assertThat(closed.leases.get()).isEqualTo(n);
    assertThat(s).allSatisfy(server -> assertThat(server.activeConnections()).isZero());
    for (CompletableFuture<String> r : results) {
      assertThat(r).isDone();
      if (!r.isCancelled()) {
        assertThat(r.get()).isEqualTo("done");
      }
    }
  }

  @Test
  void aRetryFindingNoServerLeftFailsWithTheLastFailure() throws Exception {
    List<Server> s = servers(2);
    LoadBalancer lb = balancer(s, new Closed());
    lb.drain(s.get(1));
    ConnectException refused = new ConnectException("refused");
    CompletableFuture<String> result =
        lb.executeAsync(POST, server -> CompletableFuture.failedFuture(refused));
    ExecutionException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            () -> result.get(30, TimeUnit.SECONDS), ExecutionException.class);
    assertThat(e.getCause()).isInstanceOf(FailoverException.class).hasCause(refused);
    assertThat(((FailoverException) e.getCause()).attempts()).isEqualTo(1);
  }

  @Test
  void executeAndExecuteAsyncTakeOneFirstAttemptPerCallFromTheBudget() {
    List<Server> s = servers(2);
    RetryBudget budget = RetryBudget.create(0, 0, new FakeTicker()); // no retries at all
    LoadBalancer lb =
        LoadBalancer.builder(s).retryBudget(budget).retryRule(RetryRule.always()).build();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> result =
        lb.executeAsync(
            GET,
            server -> {
              calls.incrementAndGet();
              return CompletableFuture.failedFuture(new IOException("down"));
            });
    assertThatThrownBy(result::join).cause().isInstanceOf(FailoverException.class);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void aFullBalancerFailsTheFutureAtOnceWithoutWaiting() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).maxConcurrent(1).build();
    Lease held = lb.acquire(path("/held"));
    CompletableFuture<String> result =
        lb.executeAsync(GET, server -> CompletableFuture.completedFuture("x"));
    assertThatThrownBy(result::join)
        .cause()
        .isInstanceOfSatisfying(
            NoServerAvailableException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.AT_CAPACITY));
    held.close();
    assertThat(lb.executeAsync(GET, server -> CompletableFuture.completedFuture("x")).join())
        .isEqualTo("x");
  }

  /** Runs the bodies on threads started together; fails with what any of them threw. */
  private static void race(Racers.Body... bodies) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (Racers.Body body : bodies) {
      threads.add(Racers.thread(start, failures::add, body));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(FacadeFixtures.BOUND.toMillis());
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(failures).isEmpty();
  }
}
