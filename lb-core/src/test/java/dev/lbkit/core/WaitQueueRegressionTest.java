package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static dev.lbkit.core.FacadeFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.FacadeFixtures.Waiter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Waiting acquires when the grant that serves them meets a hostile listener or a deadline. */
class WaitQueueRegressionTest {

  /**
   * One release can serve several waiters at once (here a {@code setServers} that adds two
   * servers). A fatal error from a listener told of the first grant reaches the caller, as
   * documented; the second waiter must still get its lease, not lose it with the slot held for
   * ever.
   */
  @Test
  void aFatalErrorFromOnRoutedForOneGrantStillHandsOutTheOthers() throws Exception {
    Server a = new Server("10.8.0.1", 8080);
    Server b = new Server("10.8.0.2", 8080);
    Server c = new Server("10.8.0.3", 8080);
    LoadBalancer lb =
        LoadBalancer.builder(List.of(a))
            .maxConcurrent(1)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onRouted(Request request, Server server) {
                    if ("/first".equals(request.path())) {
                      throw new StackOverflowError("simulated (expected by the test)");
                    }
                  }
                })
            .build();
    Lease held = lb.acquire(path("/held"));
    Waiter first = new Waiter(lb, path("/first"), BOUND).awaitQueued();
    Waiter second = new Waiter(lb, path("/second"), BOUND).awaitQueued();

    assertThatThrownBy(() -> lb.setServers(List.of(a, b, c)))
        .isInstanceOf(StackOverflowError.class);

    Lease granted = second.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(granted.isClosed()).isFalse();
    granted.close();
    first.join();
    second.join();
    if (!first.outcome.isCompletedExceptionally()) {
      first.outcome.get().close(); // the lease its listener failed on, given back already
    }
    held.close();
    assertThat(List.of(a, b, c)).allMatch(s -> s.activeConnections() == 0);
    assertThat(lb.waitingAcquires()).isZero();
  }

  /**
   * Race: a slot is granted to a waiter (it is out of line, its lease counted and being announced)
   * just as its wait runs out. The waiter must not then also be refused: one request, either a
   * lease (routed, and completed when closed) or a rejection, never both. The grant's listener is
   * held until the waiter's deadline has passed, so the race is lost every time.
   */
  @Test
  void aWaiterWhoseDeadlinePassesWhileItsGrantIsAnnouncedTakesTheLease() throws Exception {
    Server server = new Server("10.8.1.1", 8080);
    CountDownLatch announcing = new CountDownLatch(1);
    CountDownLatch deadlinePassed = new CountDownLatch(1);
    AtomicInteger routed = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    LoadBalancer lb =
        LoadBalancer.builder(List.of(server))
            .maxConcurrent(1)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onRouted(Request request, Server s) {
                    routed.incrementAndGet();
                    if ("/waiter".equals(request.path())) {
                      announcing.countDown();
                      try {
                        deadlinePassed.await(BOUND.toSeconds(), TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                  }

                  @Override
                  public void onRejected(Request request) {
                    rejected.incrementAndGet();
                  }
                })
            .build();
    Lease held = lb.acquire(path("/held"));
    Waiter waiter = new Waiter(lb, path("/waiter"), Duration.ofMillis(50)).awaitQueued();
    Thread closer = new Thread(held::close, "closer");
    closer.start();
    assertThat(announcing.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // The waiter's deadline passes: it either gives up (and returns) or waits for its grant.
    long bound = System.nanoTime() + BOUND.toNanos();
    while (!waiter.outcome.isDone() && waiter.thread.getState() != Thread.State.WAITING) {
      assertThat(System.nanoTime() - bound)
          .as("the waiter neither returned nor waited")
          .isNegative();
      Thread.onSpinWait();
    }
    deadlinePassed.countDown();
    closer.join(BOUND.toMillis());
    waiter.join();

    assertThat(waiter.outcome).isCompleted();
    Lease lease = waiter.outcome.get();
    assertThat(lease.isClosed()).isFalse();
    lease.close();
    Stats stats = lb.stats();
    assertThat(stats.rejected()).isZero();
    assertThat(rejected).hasValue(0);
    assertThat(routed).hasValue(2);
    assertThat(stats.totalCompleted()).isEqualTo(2);
    assertThat(server.activeConnections()).isZero();
  }

  /**
   * One release serves several waiters; if taking the second grant throws (here the balancer's
   * random source, which is user code), the first waiter, already out of line with its lease
   * counted, must still get that lease: it now waits for it once its own deadline passes.
   */
  @Test
  void aGrantThatThrowsStillHandsOutTheGrantsTakenBeforeIt() throws Exception {
    Server a = new Server("10.8.2.1", 8080);
    Server b = new Server("10.8.2.2", 8080);
    Server c = new Server("10.8.2.3", 8080);
    Thread test = Thread.currentThread();
    AtomicInteger armed = new AtomicInteger(-1); // this thread's draws left before one throws
    RandomGenerator random =
        new RandomGenerator() {
          private final RandomGenerator delegate = RandomSources.seeded(5);

          @Override
          public long nextLong() {
            return delegate.nextLong();
          }

          @Override
          public int nextInt(int bound) {
            if (Thread.currentThread() == test && armed.getAndDecrement() == 0) {
              throw new IllegalStateException("random source failed (expected by the test)");
            }
            return delegate.nextInt(bound);
          }
        };
    LoadBalancer lb =
        LoadBalancer.builder(List.of(a))
            .algorithm(Algorithm.RANDOM)
            .random(random)
            .maxConcurrent(1)
            .build();
    Lease held = lb.acquire(path("/held"));
    Waiter first = new Waiter(lb, path("/first"), Duration.ofMillis(200)).awaitQueued();
    Waiter second = new Waiter(lb, path("/second"), BOUND).awaitQueued();
    armed.set(1); // the first grant draws once; the second grant's draw throws (the waiters'
    // own rechecks, on their threads, draw without throwing)

    assertThatThrownBy(() -> lb.setServers(List.of(a, b, c)))
        .isInstanceOf(IllegalStateException.class);

    Lease firstLease = first.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    Lease secondLease = second.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS); // on a recheck
    first.join();
    second.join();
    assertThat(firstLease.isClosed()).isFalse();
    firstLease.close();
    secondLease.close();
    held.close();
    assertThat(List.of(a, b, c)).allMatch(s -> s.activeConnections() == 0);
    assertThat(lb.waitingAcquires()).isZero();
    assertThat(lb.stats().rejected()).isZero();
  }
}
