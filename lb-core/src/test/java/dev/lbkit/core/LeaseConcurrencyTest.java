package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.FacadeFixtures.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leases under contention: the concurrency cap is never exceeded (no server is ever handed out
 * twice at once), waiting acquires are served first come first served, and timeouts and interrupts
 * never leak a slot.
 */
class LeaseConcurrencyTest {

  private static final int TASKS = 1_000;
  private static final int POOL = 32;

  private final ExecutorService pool = Executors.newFixedThreadPool(POOL);

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** What a task does with the balancer to get a lease; null when it got none. */
  @FunctionalInterface
  interface Acquirer {
    Lease acquire(LoadBalancer lb, Request request) throws InterruptedException;
  }

  /**
   * Runs {@value #TASKS} tasks on {@value #POOL} threads, released together by a latch; each gets a
   * lease with {@code acquirer}, marks its server held, spins a little, unmarks it and closes the
   * lease. Returns the leases granted; fails on any double allocation.
   */
  private int hammer(LoadBalancer lb, List<Server> servers, Acquirer acquirer) throws Exception {
    AtomicIntegerArray holders = new AtomicIntegerArray(servers.size());
    AtomicInteger doubleAllocations = new AtomicInteger();
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < TASKS; t++) {
      Request request = path("/task-" + t);
      futures.add(
          pool.submit(
              () -> {
                start.await();
                Lease lease = acquirer.acquire(lb, request);
                if (lease == null) {
                  return null;
                }
                try (lease) {
                  granted.incrementAndGet();
                  int index = servers.indexOf(lease.server());
                  if (holders.incrementAndGet(index) > 1) {
                    doubleAllocations.incrementAndGet();
                  }
                  for (int spin = 0; spin < 100; spin++) {
                    Thread.onSpinWait();
                  }
                  holders.decrementAndGet(index);
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(doubleAllocations).as("zero double allocations").hasValue(0);
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    assertThat(lb.stats().servers().values().stream().mapToLong(ServerStats::completed).sum())
        .isEqualTo(granted.get());
    return granted.get();
  }

  /** Race: a thousand acquirers competing for the single slot of each of four servers. */
  @Test
  void aThousandConcurrentTryAcquiresNeverDoubleAllocate() throws Exception {
    List<Server> servers = servers(4);
    LoadBalancer lb = LoadBalancer.builder(servers).maxConcurrent(1).build();
    int granted =
        hammer(
            lb,
            servers,
            (balancer, request) -> {
              long deadline = System.nanoTime() + BOUND.toNanos(); // a hang guard, not a timing
              do {
                Optional<Lease> lease = balancer.tryAcquire(request);
                if (lease.isPresent()) {
                  return lease.get();
                }
                Thread.yield(); // a holder preempted on a busy core must get to close its lease
              } while (System.nanoTime() - deadline < 0);
              return null;
            });
    assertThat(granted).isEqualTo(TASKS);
    assertThat(lb.stats().totalRequests()).isEqualTo(TASKS);
  }

  /** Race: a thousand waiting acquirers and the hand-off of each freed slot to the queue's head. */
  @Test
  void aThousandConcurrentWaitingAcquiresAllGetALeaseOneAtATimePerServer() throws Exception {
    List<Server> servers = servers(4);
    LoadBalancer lb = LoadBalancer.builder(servers).maxConcurrent(1).build();
    int granted = hammer(lb, servers, (balancer, request) -> balancer.acquire(request, BOUND));
    assertThat(granted).isEqualTo(TASKS);
    assertThat(lb.stats().totalRequests()).isEqualTo(TASKS);
    assertThat(lb.stats().rejected()).isZero();
  }

  /** Race: tryAcquire, waiting acquire and route all at once, with one slot per server. */
  @Test
  void mixedAcquirersNeverDoubleAllocate() throws Exception {
    List<Server> servers = servers(3);
    LoadBalancer lb = LoadBalancer.builder(servers).maxConcurrent(1).build();
    AtomicInteger turn = new AtomicInteger();
    AtomicInteger routes = new AtomicInteger();
    int granted =
        hammer(
            lb,
            servers,
            (balancer, request) -> {
              switch (turn.getAndIncrement() % 3) {
                case 0:
                  return balancer.tryAcquire(request).orElse(null);
                case 1:
                  if (balancer.route(request).isPresent()) { // routes, never holds
                    routes.incrementAndGet();
                  }
                  return balancer.tryAcquire(request).orElse(null);
                default:
                  return balancer.acquire(request, BOUND);
              }
            });
    assertThat(lb.stats().totalRequests()).isEqualTo(granted + routes.get());
  }

  // ---------------------------------------------------------------- waiting acquire

  @Test
  void closingALeaseHandsTheSlotToTheWaiter() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    Lease held = lb.acquire(path("/held"));
    Waiter waiter = new Waiter(lb, path("/waiter"), BOUND).awaitQueued();
    assertThat(waiter.outcome).isNotDone();
    held.close();
    Lease handed = waiter.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(handed.server()).isSameAs(server);
    assertThat(handed.request().path()).isEqualTo("/waiter");
    assertThat(server.activeConnections()).isEqualTo(1);
    handed.close();
    assertThat(server.activeConnections()).isZero();
    assertThat(lb.stats().servers().get(server.id()).completed()).isEqualTo(2);
  }

  @Test
  void waitersAreServedInArrivalOrder() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    Lease held = lb.acquire(path("/held"));
    Waiter first = new Waiter(lb, path("/first"), BOUND).awaitQueued();
    Waiter second = new Waiter(lb, path("/second"), BOUND).awaitQueued();
    Waiter third = new Waiter(lb, path("/third"), BOUND).awaitQueued();

    held.close();
    Lease one = first.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(one.request().path()).isEqualTo("/first");
    // The slot is taken again: the others keep waiting, and a newcomer does not jump the queue.
    assertThat(second.outcome).isNotDone();
    assertThat(third.outcome).isNotDone();
    assertThatThrownBy(() -> lb.acquire(path("/newcomer"), Duration.ZERO))
        .isInstanceOf(NoServerAvailableException.class);

    one.close();
    Lease two = second.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(two.request().path()).isEqualTo("/second");
    assertThat(third.outcome).isNotDone();

    two.close();
    Lease three = third.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(three.request().path()).isEqualTo("/third");
    three.close();
    assertThat(server.activeConnections()).isZero();
  }

  /**
   * "Waiters are served in arrival order, and a new acquire does not overtake them." A listener
   * runs on the closing thread after the slot is freed and before the waiters are served, so a
   * tryAcquire made there stands for one from another thread landing in that window.
   */
  @Test
  void aNonWaitingAcquireDoesNotOvertakeQueuedWaiters() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    AtomicReference<LoadBalancer> self = new AtomicReference<>();
    List<Optional<Lease>> newcomers = new ArrayList<>();
    LoadBalancer lb =
        LoadBalancer.builder(List.of(server))
            .maxConcurrent(1)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onLeaseClosed(
                      Request request, Server s, long nanos, @Nullable Throwable failure) {
                    if ("/held".equals(request.path())) {
                      newcomers.add(self.get().tryAcquire(path("/newcomer")));
                    }
                  }
                })
            .build();
    self.set(lb);
    Lease held = lb.acquire(path("/held"));
    Waiter waiter = new Waiter(lb, path("/waiter"), BOUND).awaitQueued();
    held.close();
    try {
      assertThat(newcomers).singleElement().satisfies(o -> assertThat(o).isEmpty());
      Lease lease = waiter.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(lease.request().path()).isEqualTo("/waiter");
      lease.close();
    } finally {
      newcomers.forEach(o -> o.ifPresent(Lease::close));
      waiter.join();
    }
  }

  @Test
  void aWaiterThatTimesOutGetsNoServerAvailableAndTheQueueKeepsWorking() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    Lease held = lb.acquire(path("/held"));
    // A real 50 ms wait: the wait is measured in real time whatever the ticker.
    assertThatThrownBy(() -> lb.acquire(path("/impatient"), Duration.ofMillis(50)))
        .isInstanceOf(NoServerAvailableException.class)
        .hasMessageNotContaining("/impatient") // nothing of the request goes into a message
        .hasMessageContaining("within PT0.05S");
    assertThat(lb.stats().rejected()).isEqualTo(1);

    Waiter patient = new Waiter(lb, path("/patient"), BOUND).awaitQueued();
    held.close();
    Lease lease = patient.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(lease.request().path()).isEqualTo("/patient");
    lease.close();
    assertThat(server.activeConnections()).isZero();
  }

  @Test
  void aZeroTimeoutDoesNotWait() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    Lease lease = lb.acquire(path("/free"), Duration.ZERO);
    assertThatThrownBy(() -> lb.acquire(path("/full"), Duration.ZERO))
        .isInstanceOf(NoServerAvailableException.class);
    lease.close();
    assertThat(server.activeConnections()).isZero();
  }

  @Test
  void anInterruptedWaiterThrowsAndLeaksNoSlot() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    Lease held = lb.acquire(path("/held"));
    Waiter interrupted = new Waiter(lb, path("/interrupted"), BOUND).awaitQueued();
    Waiter next = new Waiter(lb, path("/next"), BOUND).awaitQueued();
    interrupted.thread.interrupt();
    assertThatThrownBy(() -> interrupted.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    interrupted.join();

    held.close();
    Lease lease = next.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(lease.request().path()).isEqualTo("/next");
    lease.close();
    assertThat(server.activeConnections()).isZero();
    assertThat(lb.tryAcquire(path("/after"))).isPresent().get().satisfies(Lease::close);
  }

  /**
   * Race: the slot is handed to a waiter at the moment it is interrupted. Whichever wins, the
   * waiter either returns a lease or throws, and no slot is lost.
   */
  @Test
  void aGrantRacingAnInterruptLeaksNoSlot() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    int leases = 0;
    int interrupts = 0;
    for (int round = 0; round < 100; round++) {
      Lease held = lb.acquire(path("/held"));
      Waiter waiter = new Waiter(lb, path("/w" + round), BOUND).awaitQueued();
      CountDownLatch go = new CountDownLatch(1);
      Future<?> closer =
          pool.submit(
              () -> {
                go.await();
                held.close();
                return null;
              });
      go.countDown();
      waiter.thread.interrupt();
      closer.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      try {
        waiter.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS).close();
        leases++;
      } catch (ExecutionException e) {
        assertThat(e).hasCauseInstanceOf(InterruptedException.class);
        interrupts++;
      }
      waiter.join();
      assertThat(server.activeConnections()).as("round %s", round).isZero();
    }
    assertThat(leases + interrupts).isEqualTo(100);
  }

  /** Race: the slot frees up just as a short wait runs out. */
  @Test
  void aGrantRacingATimeoutLeaksNoSlot() throws Exception {
    Server server = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    for (int round = 0; round < 100; round++) {
      Lease held = lb.acquire(path("/held"));
      Future<?> closer =
          pool.submit(
              () -> {
                held.close();
                return null;
              });
      try {
        lb.acquire(path("/short"), Duration.ofNanos(round * 1_000L)).close();
      } catch (NoServerAvailableException e) {
        // lost the race: fine
      }
      closer.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(server.activeConnections()).as("round %s", round).isZero();
    }
  }

  @Test
  void aWaiterGetsASlotFreedByAHealthChange() throws Exception {
    Server sick = new Server("10.3.0.1", 8080);
    sick.setHealthy(false);
    LoadBalancer lb = LoadBalancer.builder(List.of(sick)).maxConcurrent(1).build();
    Waiter waiter = new Waiter(lb, path("/w"), BOUND).awaitQueued();
    sick.setHealthy(true); // nobody tells the balancer: the waiter looks again by itself
    Lease lease = waiter.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(lease.server()).isSameAs(sick);
    lease.close();
  }

  @Test
  void aWaiterGetsAnAddedServer() throws Exception {
    Server busy = new Server("10.3.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(busy)).maxConcurrent(1).build();
    Lease held = lb.acquire(path("/held"));
    Waiter waiter = new Waiter(lb, path("/w"), BOUND).awaitQueued();
    Server added = new Server("10.3.0.2", 8080);
    lb.addServer(added);
    Lease lease = waiter.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(lease.server()).isSameAs(added);
    lease.close();
    held.close();
  }
}
