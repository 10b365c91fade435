package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.keyed;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The admission contract of the {@link LoadBalancer} facade, run for every {@link Algorithm}: never
 * an unhealthy, draining, rate-limited or full server; empty exactly when no server is admissible;
 * rate limits accurate on fake time; counts that add up.
 */
class FacadeContractTest {

  private static LoadBalancer.Builder builder(Algorithm algorithm, List<Server> servers) {
    return FacadeFixtures.algorithm(LoadBalancer.builder(servers), algorithm)
        .random(RandomSources.seeded(42));
  }

  /** A request that every algorithm can route: CONSISTENT_HASH hashes its key, others ignore it. */
  private static Request request(int i) {
    return keyed("job-" + i);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void neverReturnsAnUnhealthyServerWhileHealthFlips(Algorithm algorithm) {
    List<Server> servers = servers(5);
    LoadBalancer plain = builder(algorithm, servers).build();
    LoadBalancer sticky = builder(algorithm, servers).sticky(true).build();
    Random random = new Random(7);
    for (int round = 0; round < 1_500; round++) {
      servers.get(random.nextInt(servers.size())).setHealthy(random.nextBoolean());
      boolean anyHealthy = servers.stream().anyMatch(Server::isHealthy);
      for (int i = 0; i < 4; i++) {
        Request request =
            i % 2 == 0
                ? request(random.nextInt(50))
                : FacadeFixtures.fromIp("192.0.2." + random.nextInt(50));
        for (LoadBalancer lb : List.of(plain, sticky)) {
          Optional<Server> routed = lb.route(request);
          assertThat(routed.isPresent())
              .as("routed %s on %s", request, servers)
              .isEqualTo(anyHealthy);
          routed.ifPresent(s -> assertThat(s.isHealthy()).as("routed %s", s).isTrue());
          Optional<Lease> lease = lb.tryAcquire(request);
          assertThat(lease.isPresent()).isEqualTo(anyHealthy);
          lease.ifPresent(
              l -> {
                assertThat(l.server().isHealthy()).isTrue();
                l.close();
              });
        }
      }
    }
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void emptyExactlyWhenNoServerIsAdmissible(Algorithm algorithm) {
    LoadBalancer none = builder(algorithm, List.of()).build();
    assertThat(none.route(request(1))).isEmpty();
    assertThat(none.tryAcquire(request(1))).isEmpty();

    List<Server> servers = servers(3);
    LoadBalancer lb = builder(algorithm, servers).build();
    servers.forEach(s -> s.setHealthy(false));
    assertThat(lb.route(request(1))).isEmpty();
    assertThat(lb.tryAcquire(request(1))).isEmpty();
    assertThatThrownBy(() -> lb.acquire(request(1)))
        .isInstanceOf(NoServerAvailableException.class)
        .hasMessageContaining("no admissible server")
        .hasMessageContaining("3 server(s)");
    assertThatThrownBy(() -> lb.execute(request(1), s -> "never called"))
        .isInstanceOf(NoServerAvailableException.class);
    assertThat(lb.stats().rejected()).isEqualTo(4);

    servers.get(1).setHealthy(true);
    for (int i = 0; i < 30; i++) {
      assertThat(lb.route(request(i))).contains(servers.get(1));
    }
    assertThat(lb.execute(request(0), Server::id)).isEqualTo(servers.get(1).id());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void drainingServersGetNoNewRequests(Algorithm algorithm) {
    List<Server> servers = servers(3);
    LoadBalancer lb = builder(algorithm, servers).sticky(true).build();
    Lease held = lb.acquire(request(0));
    Server draining = held.server();
    CompletableFuture<Void> drained = lb.drain(draining);
    assertThat(drained).isNotDone();
    for (int i = 0; i < 200; i++) {
      Request request = i % 2 == 0 ? request(i) : FacadeFixtures.fromIp("198.51.100." + i);
      assertThat(lb.route(request)).isPresent().get().isNotEqualTo(draining);
      try (Lease lease = lb.acquire(request)) {
        assertThat(lease.server()).isNotEqualTo(draining);
      }
      assertThat(lb.route(FacadeFixtures.withCookie(lb, draining)))
          .isPresent()
          .get()
          .isNotEqualTo(draining);
    }
    assertThat(lb.stats().servers().get(draining.id()).draining()).isTrue();
    assertThat(lb.stats().requestsPerServer().get(draining.id())).isEqualTo(1);
    held.close();
    assertThat(drained).isCompleted();
    assertThat(lb.servers()).doesNotContain(draining).hasSize(2);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void rateLimitedServersAreSkippedAndAllAtTheirLimitMeansEmpty(Algorithm algorithm) {
    FakeTicker ticker = new FakeTicker();
    List<Server> servers = servers(3);
    LoadBalancer lb = builder(algorithm, servers).rateLimit(2).ticker(ticker).build();
    // The same key every time: CONSISTENT_HASH must walk the ring past full servers.
    for (int i = 0; i < 6; i++) {
      assertThat(lb.route(request(0))).as("request %s", i).isPresent();
    }
    assertThat(lb.stats().requestsPerServer().values()).containsOnly(2L);
    assertThat(lb.route(request(0))).isEmpty();
    assertThat(lb.tryAcquire(request(0))).isEmpty();

    ticker.advance(Duration.ofMillis(499)); // not yet a token anywhere
    assertThat(lb.route(request(0))).isEmpty();
    ticker.advance(Duration.ofMillis(1)); // one token each
    for (int i = 0; i < 3; i++) {
      assertThat(lb.route(request(0))).isPresent();
    }
    assertThat(lb.route(request(0))).isEmpty();
    assertThat(lb.stats().requestsPerServer().values()).containsOnly(3L);
    assertThat(lb.stats().rejected()).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void concurrencyCapIsRespected(Algorithm algorithm) {
    List<Server> servers = servers(3);
    LoadBalancer lb = builder(algorithm, servers).maxConcurrent(2).build();
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      leases.add(lb.tryAcquire(request(0)).orElseThrow());
    }
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isEqualTo(2));
    assertThat(lb.tryAcquire(request(0))).isEmpty();
    assertThat(lb.route(request(0))).as("route honours the cap too").isEmpty();

    Lease freed = leases.remove(3);
    freed.close();
    Lease again = lb.acquire(request(1));
    assertThat(again.server()).isSameAs(freed.server());
    leases.add(again);
    assertThat(lb.tryAcquire(request(2))).isEmpty();
    leases.forEach(Lease::close);
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    assertThat(lb.stats().servers().values())
        .allSatisfy(s -> assertThat(s.completed()).isEqualTo(s.requests()));
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void admitsTheRateLimitAccuratelyOverTenSecondsOfFakeTime(Algorithm algorithm) {
    int rate = 100;
    int seconds = 10;
    int offered = 2 * 3 * rate * seconds; // twice the aggregate limit, evenly spread
    FakeTicker ticker = new FakeTicker(-5_000_000_000L); // across zero, for good measure
    List<Server> servers = servers(3);
    LoadBalancer lb = builder(algorithm, servers).rateLimit(rate).ticker(ticker).build();
    long span = Duration.ofSeconds(seconds).toNanos();
    long elapsed = 0;
    int admitted = 0;
    for (int i = 0; i < offered; i++) {
      long due = span * i / offered;
      ticker.advanceNanos(due - elapsed);
      elapsed = due;
      if (lb.route(request(i)).isPresent()) {
        admitted++;
      }
    }
    long low = (long) Math.ceil(0.99 * rate * seconds);
    long high = (long) rate * seconds + rate;
    for (Server s : servers) {
      assertThat(lb.stats().requestsPerServer().get(s.id())).as("%s", s).isBetween(low, high);
    }
    assertThat((long) admitted).isBetween(3 * low, 3 * high);
    assertThat(lb.stats().totalRequests()).isEqualTo(admitted);
    assertThat(lb.stats().rejected()).isEqualTo(offered - admitted);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void countsAddUpToWhatWasRouted(Algorithm algorithm) {
    List<Server> servers = servers(4);
    LoadBalancer lb = builder(algorithm, servers).build();
    int n = 1_000;
    Map<String, Long> seen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      seen.merge(FacadeFixtures.routed(lb, request(i)).id(), 1L, Long::sum);
    }
    for (int i = 0; i < 100; i++) {
      try (Lease lease = lb.acquire(request(i))) {
        seen.merge(lease.server().id(), 1L, Long::sum);
      }
    }
    Stats stats = lb.stats();
    assertThat(stats.totalRequests()).isEqualTo(n + 100);
    for (Server s : servers) {
      assertThat(stats.requestsPerServer().get(s.id())).isEqualTo(seen.getOrDefault(s.id(), 0L));
    }
    assertThat(stats.requestsPerServer().keySet())
        .containsExactly(servers.stream().map(Server::id).toArray(String[]::new));
    assertThat(stats.servers().values().stream().mapToLong(ServerStats::completed).sum())
        .isEqualTo(100);
  }

  /** Race: several threads taking the last slot of the same server at once. */
  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void concurrentLeasesNeverExceedTheCap(Algorithm algorithm) throws Exception {
    List<Server> servers = servers(3);
    LoadBalancer lb =
        FacadeFixtures.algorithm(LoadBalancer.builder(servers), algorithm)
            .maxConcurrent(1)
            .build(); // threadLocal
    AtomicIntegerArray holders = new AtomicIntegerArray(servers.size());
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger granted = new AtomicInteger();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    Optional<Lease> lease = lb.tryAcquire(request(seed * 10_000 + i));
                    if (lease.isEmpty()) {
                      continue;
                    }
                    granted.incrementAndGet();
                    int index = servers.indexOf(lease.get().server());
                    if (holders.incrementAndGet(index) != 1) {
                      overlaps.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    holders.decrementAndGet(index);
                    lease.get().close();
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(overlaps).hasValue(0);
    assertThat(granted.get()).isPositive();
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    assertThat(lb.stats().totalRequests()).isEqualTo(granted.get());
    assertThat(lb.stats().rejected()).isEqualTo(threads * 5_000L - granted.get());
  }
}
