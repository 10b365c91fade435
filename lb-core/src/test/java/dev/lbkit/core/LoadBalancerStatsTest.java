package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.routed;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LoadBalancer#stats()}: counts, latency percentiles on fake time, error rates. */
class LoadBalancerStatsTest {

  private final FakeTicker ticker = new FakeTicker();

  @Test
  void roundRobinCountsAreExact() {
    List<Server> servers = servers(3);
    LoadBalancer lb = new LoadBalancer(servers);
    for (int i = 0; i < 300; i++) {
      routed(lb, path("/" + i));
    }
    Stats stats = lb.stats();
    assertThat(stats.requestsPerServer())
        .containsExactly(
            Map.entry("10.1.0.1:8080", 100L),
            Map.entry("10.1.0.2:8080", 100L),
            Map.entry("10.1.0.3:8080", 100L));
    assertThat(stats.totalRequests()).isEqualTo(300);
    assertThat(stats.rejected()).isZero();
  }

  @Test
  void weightedCountsFollowTheWeights() {
    List<Server> servers = List.of(new Server("a", 1, 3), new Server("b", 1, 1));
    LoadBalancer lb = new LoadBalancer(servers, Algorithm.WEIGHTED_ROUND_ROBIN);
    for (int i = 0; i < 800; i++) {
      routed(lb, path("/" + i));
    }
    assertThat(lb.stats().requestsPerServer())
        .containsExactly(Map.entry("a:1", 600L), Map.entry("b:1", 200L));
  }

  @Test
  void leastConnectionsSpreadsOpenLeasesEvenly() {
    List<Server> servers = servers(3);
    LoadBalancer lb = new LoadBalancer(servers, Algorithm.LEAST_CONNECTIONS);
    List<Lease> open = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      open.add(lb.acquire(path("/" + i)));
    }
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isEqualTo(10));
    assertThat(lb.stats().activeConnections()).isEqualTo(30);
    assertThat(lb.stats().requestsPerServer().values()).containsOnly(10L);
    open.forEach(Lease::close);
    assertThat(lb.stats().activeConnections()).isZero();
  }

  @Test
  void latencyPercentilesOnFakeTime() {
    Server server = new Server("10.1.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).ticker(ticker).build();
    ServerStats none = lb.stats().servers().get(server.id());
    assertThat(none.p50()).isEqualTo(Duration.ZERO);
    assertThat(none.p99()).isEqualTo(Duration.ZERO);
    assertThat(none.max()).isEqualTo(Duration.ZERO);
    assertThat(none.errorRate()).isZero();

    List<Integer> millis = new ArrayList<>();
    for (int ms = 1; ms <= 100; ms++) {
      millis.add(ms);
    }
    Collections.shuffle(millis, new Random(11));
    for (int ms : millis) {
      try (Lease lease = lb.acquire(path("/" + ms))) {
        assertThat(lease.server()).isSameAs(server);
        ticker.advance(Duration.ofMillis(ms));
      }
    }
    ServerStats stats = lb.stats().servers().get(server.id());
    assertThat(stats.completed()).isEqualTo(100);
    assertThat(stats.requests()).isEqualTo(100);
    assertThat(stats.activeConnections()).isZero();
    assertThat(stats.max()).isEqualTo(Duration.ofMillis(100));
    assertThat(stats.p50().toNanos())
        .isBetween(
            Duration.ofMillis(50).toNanos(), (long) (Duration.ofMillis(50).toNanos() * 1.0625));
    assertThat(stats.p99().toNanos())
        .isBetween(Duration.ofMillis(99).toNanos(), Duration.ofMillis(100).toNanos());
  }

  @Test
  void concurrentLeasesAreTimedSeparately() {
    Server server = new Server("10.1.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).ticker(ticker).build();
    Lease longOne = lb.acquire(path("/long"));
    ticker.advance(Duration.ofMillis(10));
    Lease shortOne = lb.acquire(path("/short"));
    ticker.advance(Duration.ofMillis(1));
    shortOne.close();
    ticker.advance(Duration.ofMillis(89));
    longOne.close();
    ServerStats stats = lb.stats().servers().get(server.id());
    assertThat(stats.max()).isEqualTo(Duration.ofMillis(100));
    assertThat(stats.p50().toNanos())
        .isBetween(
            Duration.ofMillis(1).toNanos(), (long) (Duration.ofMillis(1).toNanos() * 1.0625));
  }

  @Test
  void errorRateIsErrorsOverCompletedLeases() {
    List<Server> servers = servers(2);
    LoadBalancer lb = LoadBalancer.builder(servers).ticker(ticker).build();
    for (int i = 0; i < 20; i++) {
      try (Lease lease = lb.acquire(path("/" + i))) {
        // Round robin: the first server's leases fail every other time, the second's never.
        if (lease.server() == servers.get(0) && i % 4 == 0) {
          lease.fail(new IOException("500"));
        }
      }
    }
    Stats stats = lb.stats();
    ServerStats first = stats.servers().get(servers.get(0).id());
    ServerStats second = stats.servers().get(servers.get(1).id());
    assertThat(first.completed()).isEqualTo(10);
    assertThat(first.errors()).isEqualTo(5);
    assertThat(first.errorRate()).isCloseTo(0.5, within(1e-12));
    assertThat(second.errors()).isZero();
    assertThat(second.errorRate()).isZero();
    assertThat(stats.totalErrors()).isEqualTo(5);
  }

  @Test
  void statsAreAnImmutableSnapshot() {
    List<Server> servers = servers(2);
    LoadBalancer lb = new LoadBalancer(servers);
    routed(lb, path("/1"));
    Stats before = lb.stats();
    routed(lb, path("/2"));
    routed(lb, path("/3"));
    servers.get(0).setHealthy(false);
    assertThat(before.totalRequests()).isEqualTo(1);
    assertThat(before.servers().get(servers.get(0).id()).healthy()).isTrue();
    assertThat(lb.stats().totalRequests()).isEqualTo(3);
    assertThat(lb.stats().servers().get(servers.get(0).id()).healthy()).isFalse();
    assertThatThrownBy(() -> before.requestsPerServer().put("x", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> before.servers().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(before.toString()).contains("requests=1").contains("rejected=0");
  }

  @Test
  void rejectionsAreCounted() {
    List<Server> servers = servers(1);
    LoadBalancer lb = LoadBalancer.builder(servers).maxConcurrent(1).build();
    Lease lease = lb.acquire(path("/held"));
    assertThat(lb.route(path("/a"))).isEmpty();
    assertThat(lb.tryAcquire(path("/b"))).isEmpty();
    assertThatThrownBy(() -> lb.acquire(path("/c"))).isInstanceOf(NoServerAvailableException.class);
    lease.close();
    assertThat(lb.stats().rejected()).isEqualTo(3);
    assertThat(lb.stats().totalRequests()).isEqualTo(1);
  }
}
