package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.routed;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Adding, removing and draining servers, alone and while other threads route. */
class LoadBalancerMembershipTest {

  private final ExecutorService pool = Executors.newFixedThreadPool(5);

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void drainWaitsForOpenLeasesAndThenRemovesTheServer() {
    List<Server> servers = servers(3);
    LoadBalancer lb = new LoadBalancer(servers);
    Server target = servers.get(0);
    Lease first = lb.acquire(path("/1"));
    Lease second = lb.acquire(path("/2"));
    Lease third = lb.acquire(path("/3"));
    Lease fourth = lb.acquire(path("/4")); // round robin: first and fourth are on the target
    assertThat(first.server()).isSameAs(target);
    assertThat(fourth.server()).isSameAs(target);

    CompletableFuture<Void> drained = lb.drain(target);
    assertThat(lb.drain(target)).as("the same future").isSameAs(drained);
    assertThat(drained).isNotDone();
    assertThat(lb.servers()).as("still a member while draining").contains(target);
    assertThat(lb.stats().servers().get(target.id()).draining()).isTrue();
    for (int i = 0; i < 30; i++) {
      assertThat(routed(lb, path("/new"))).isNotEqualTo(target);
    }
    assertThatThrownBy(() -> lb.addServer(new Server(target.host(), target.port())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(target.id())
        .hasMessageContaining("draining");

    first.close();
    assertThat(drained).as("one lease still open").isNotDone();
    second.close();
    third.close();
    assertThat(drained).isNotDone();
    fourth.close();
    assertThat(drained).isCompleted();
    assertThat(lb.servers()).containsExactly(servers.get(1), servers.get(2));
    assertThat(lb.stats().requestsPerServer()).doesNotContainKey(target.id());
    assertThat(target.activeConnections()).isZero();

    lb.addServer(target); // drained servers may come back
    assertThat(lb.servers()).contains(target);
  }

  @Test
  void drainingAnIdleOrUnknownServerCompletesAtOnce() {
    List<Server> servers = servers(2);
    LoadBalancer lb = new LoadBalancer(servers);
    assertThat(lb.drain(servers.get(1))).isCompleted();
    assertThat(lb.servers()).containsExactly(servers.get(0));
    assertThat(lb.drain(new Server("elsewhere", 1))).isCompleted();
    assertThat(lb.drain(servers.get(1))).as("already gone").isCompleted();
  }

  @Test
  void removingADrainingServerCompletesTheDrainOnlyOnceItsLeasesClosed() {
    // Was: the drain completed at removeServer with a lease still open (a drain promises zero).
    List<Server> servers = servers(2);
    LoadBalancer lb = new LoadBalancer(servers);
    Lease lease = lb.acquire(path("/x"));
    CompletableFuture<Void> drained = lb.drain(lease.server());
    assertThat(drained).isNotDone();
    lb.removeServer(lease.server());
    assertThat(lb.servers()).hasSize(1);
    assertThat(drained).as("a lease is still open").isNotDone();
    lease.close(); // still closes normally
    assertThat(lease.server().activeConnections()).isZero();
    assertThat(drained).isCompleted();
  }

  @Test
  void addAndRemoveByIdAreIdempotent() {
    List<Server> servers = servers(2);
    LoadBalancer lb = new LoadBalancer(servers);
    lb.addServer(new Server(servers.get(0).host(), servers.get(0).port(), 7)); // same id
    assertThat(lb.servers()).containsExactlyElementsOf(servers);
    // Was: the new weight was silently ignored. The original instance stays, with the new weight.
    assertThat(lb.servers().get(0)).isSameAs(servers.get(0));
    assertThat(lb.servers().get(0).weight()).isEqualTo(7);
    lb.removeServer(new Server(servers.get(0).host(), servers.get(0).port())); // equal by id
    assertThat(lb.servers()).containsExactly(servers.get(1));
    lb.removeServer(servers.get(0)); // not there
    assertThat(lb.servers()).containsExactly(servers.get(1));
    assertThatThrownBy(() -> lb.servers().add(servers.get(0)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void anAddedServerTakesRequestsFromTheNextPick() {
    List<Server> servers = servers(2);
    LoadBalancer lb = new LoadBalancer(servers);
    Server added = new Server("10.1.0.3", 8080);
    lb.addServer(added);
    Set<Server> seen = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      seen.add(routed(lb, path("/" + i)));
    }
    assertThat(seen).contains(added).hasSize(3);
    assertThat(lb.stats().requestsPerServer()).containsKey(added.id());
  }

  @Test
  void aDrainCompletesWhenAnotherBalancersLeaseOnTheServerCloses() {
    Server shared = new Server("10.6.0.1", 8080);
    LoadBalancer one = new LoadBalancer(List.of(shared));
    LoadBalancer two = new LoadBalancer(List.of(shared));
    Lease lease = one.acquire(path("/on-one"));
    CompletableFuture<Void> drained = two.drain(shared);
    assertThat(drained).as("the other balancer's lease counts, as documented").isNotDone();
    lease.close();
    assertThat(shared.activeConnections()).isZero();
    assertThat(drained).succeedsWithin(Duration.ofSeconds(2));
  }

  /** The workaround for the disabled test above, which keeps working once it is fixed. */
  @Test
  void drainingAgainCompletesADrainWhoseServerWentIdleElsewhere() {
    Server shared = new Server("10.6.0.1", 8080);
    LoadBalancer one = new LoadBalancer(List.of(shared));
    LoadBalancer two = new LoadBalancer(List.of(shared));
    Lease lease = one.acquire(path("/on-one"));
    CompletableFuture<Void> drained = two.drain(shared);
    lease.close();
    assertThat(two.drain(shared)).isCompleted();
    assertThat(drained).isCompleted();
    assertThat(two.servers()).isEmpty();
  }

  /**
   * A lease attempt takes its concurrency slot first and gives it back if the rate limit refuses; a
   * drain running inside that window sees one connection and waits. The ticker read by the rate
   * limit, inside the window, runs the drain exactly there: deterministic, no threads.
   */
  @Test
  void aDrainThatSawAProvisionalSlotStillCompletes() {
    FakeTicker time = new FakeTicker();
    AtomicReference<Runnable> onNextRead = new AtomicReference<>();
    Ticker hooked =
        () -> {
          Runnable hook = onNextRead.getAndSet(null);
          if (hook != null) {
            hook.run();
          }
          return time.read();
        };
    Server server = new Server("10.6.0.2", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).rateLimit(1).ticker(hooked).build();
    assertThat(lb.route(path("/spends-the-only-token"))).contains(server);
    AtomicReference<CompletableFuture<Void>> drained = new AtomicReference<>();
    onNextRead.set(
        () -> {
          assertThat(server.activeConnections()).as("the provisional slot").isEqualTo(1);
          drained.set(lb.drain(server));
        });
    assertThat(lb.tryAcquire(path("/refused-by-the-rate-limit"))).isEmpty();
    assertThat(server.activeConnections()).isZero();
    assertThat(drained.get()).as("nothing holds the server any more").isCompleted();
    assertThat(lb.servers()).isEmpty();
  }

  /**
   * Race: a drain deciding the server is idle while another thread takes a lease on it. Either the
   * lease loses (no lease, the drain completes at once) or the drain waits for it.
   */
  @Test
  void aDrainRacingAnAcquireNeverCompletesUnderAnOpenLease() throws Exception {
    for (int round = 0; round < 300; round++) {
      Server server = new Server("10.4.0.1", 8080);
      LoadBalancer lb = new LoadBalancer(List.of(server));
      CyclicBarrier barrier = new CyclicBarrier(2);
      Future<Optional<Lease>> acquirer =
          pool.submit(
              () -> {
                barrier.await(10, TimeUnit.SECONDS);
                return lb.tryAcquire(path("/racer"));
              });
      AtomicReference<CompletableFuture<Void>> drain = new AtomicReference<>();
      Future<?> drainer =
          pool.submit(
              () -> {
                barrier.await(10, TimeUnit.SECONDS);
                drain.set(lb.drain(server));
                return null;
              });
      Optional<Lease> lease = acquirer.get(10, TimeUnit.SECONDS);
      drainer.get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> drained = drain.get();
      if (lease.isPresent()) {
        assertThat(drained).as("round %s: drained under an open lease", round).isNotDone();
        lease.get().close();
      }
      assertThat(server.activeConnections()).as("round %s", round).isZero();
      // Draining again re-checks (a drain that saw a provisional slot still completes: see
      // aDrainThatSawAProvisionalSlotStillCompletes).
      assertThat(lb.drain(server)).isCompleted();
      assertThat(drained).isCompleted();
      assertThat(lb.servers()).isEmpty();
    }
  }

  /**
   * Race: membership changes (add, remove, drain) republishing the snapshot while four threads
   * route and lease. Every pick is a healthy member of the pool; nothing throws; no connection
   * leaks.
   */
  @Test
  void routingStaysCorrectWhileMembershipChurns() throws Exception {
    List<Server> stable = List.of(new Server("10.5.0.1", 80), new Server("10.5.0.2", 80));
    List<Server> sick = List.of(new Server("10.5.0.3", 80), new Server("10.5.0.4", 80));
    sick.forEach(s -> s.setHealthy(false));
    List<Server> churned = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      churned.add(new Server("10.5.1." + i, 80));
    }
    Set<Server> universe = new HashSet<>(stable);
    universe.addAll(sick);
    universe.addAll(churned);
    List<Server> initial = new ArrayList<>(stable);
    initial.addAll(sick);
    for (Algorithm algorithm : List.of(Algorithm.ROUND_ROBIN, Algorithm.LEAST_CONNECTIONS)) {
      LoadBalancer lb =
          LoadBalancer.builder(initial).algorithm(algorithm).sticky(true).maxConcurrent(4).build();
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger empties = new AtomicInteger();
      AtomicInteger picks = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      Future<?> churn =
          pool.submit(
              () -> {
                start.await();
                try {
                  for (int i = 0; i < 1_500; i++) {
                    Server s = churned.get(i % churned.size());
                    lb.addServer(s);
                    if (i % 3 == 0) {
                      // Drain, then remove: removal completes the drain whatever is open. A
                      // router closing the last lease may be completing it concurrently.
                      CompletableFuture<Void> drained = lb.drain(s);
                      lb.removeServer(s);
                      drained.get(BOUND.toSeconds(), TimeUnit.SECONDS);
                    } else {
                      lb.removeServer(s);
                    }
                  }
                } finally {
                  done.set(true);
                }
                return null;
              });
      List<Future<?>> routers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        routers.add(
            pool.submit(
                () -> {
                  start.await();
                  // At least one pick each, even if the churn is over before this thread runs
                  for (int i = 0; i == 0 || !done.get() && i < 1_000_000; i++) {
                    Request request =
                        i % 2 == 0
                            ? path("/r" + i)
                            : FacadeFixtures.fromIp("10.9." + id + "." + (i % 250));
                    Optional<Server> s = lb.route(request);
                    if (s.isEmpty()) {
                      empties.incrementAndGet();
                    } else {
                      assertThat(universe).contains(s.get());
                      assertThat(s.get().isHealthy()).isTrue();
                    }
                    try (Lease lease = lb.acquire(request)) {
                      assertThat(universe).contains(lease.server());
                      assertThat(lease.server().isHealthy()).isTrue();
                    }
                    picks.incrementAndGet();
                  }
                  return null;
                }));
      }
      start.countDown();
      churn.get(30, TimeUnit.SECONDS);
      for (Future<?> f : routers) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(picks.get()).as(algorithm.name()).isPositive();
      assertThat(empties).as("a healthy stable server was always there").hasValue(0);
      assertThat(universe).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
      assertThat(new HashSet<>(lb.servers())).isEqualTo(new HashSet<>(initial));
    }
  }
}
