package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.keyed;
import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.hashing.PlacementType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one routing table per balancer: who rebuilds it and when, what a refusal costs, and what
 * leaves the balancer in messages and totals.
 */
class RoutingTableTest {

  @Test
  void aHealthFlipReachesOnlyTheBalancersThatHoldTheServer() {
    List<Server> mine = servers(3);
    Server elsewhere = new Server("10.9.0.1", 8080);
    LoadBalancer lb = LoadBalancer.builder(mine).algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build();
    LoadBalancer other = new LoadBalancer(List.of(elsewhere));
    RoutingTable before = lb.tableForTest();
    elsewhere.setHealthy(false);
    elsewhere.setWeight(5);
    assertThat(lb.tableForTest()).as("no rebuild for a server it does not hold").isSameAs(before);
    assertThat(other.route(path("/x"))).isEmpty();
  }

  @Test
  void aHealthFlipOfItsOwnServerIsInTheTableBeforeSetHealthyReturns() {
    List<Server> s = servers(3);
    LoadBalancer lb = new LoadBalancer(s);
    s.get(1).setHealthy(false);
    RoutingTable table = lb.tableForTest();
    assertThat(table.candidates).containsExactly(s.get(0), s.get(2));
    // Picks read that table and never rebuild it.
    for (int i = 0; i < 10; i++) {
      assertThat(lb.route(path("/x"))).isPresent().get().isNotEqualTo(s.get(1));
    }
    assertThat(lb.tableForTest()).isSameAs(table);
    s.get(1).setHealthy(true);
    assertThat(lb.tableForTest().candidates).containsExactlyElementsOf(s);
  }

  @Test
  void flipsAndWeightChangesPatchedIntoTheTableMatchAFreshBuild() {
    List<Server> s = servers(40);
    LoadBalancer lb = LoadBalancer.builder(s).algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build();
    lb.removeServer(s.get(3)); // members need not be the list the balancer was built with
    lb.addServer(s.get(3));
    java.util.Random random = new java.util.Random(42);
    for (int step = 0; step < 400; step++) {
      Server x = s.get(random.nextInt(s.size()));
      if (random.nextBoolean()) {
        x.setHealthy(!x.isHealthy());
      } else {
        x.setWeight(1 + random.nextInt(4));
      }
      RoutingTable patched = lb.tableForTest();
      RoutingTable fresh =
          LoadBalancer.builder(lb.servers())
              .algorithm(Algorithm.WEIGHTED_ROUND_ROBIN)
              .build()
              .tableForTest();
      assertThat(patched.candidates).containsExactly(fresh.candidates);
      assertThat(patched.weights).containsExactly(fresh.weights);
      assertThat(((WeightedSchedule) patched.state).period())
          .isEqualTo(((WeightedSchedule) fresh.state).period());
    }
  }

  @Test
  @Timeout(60) // bounds a hang only: each refusal was O(n^2) on rendezvous (210 ms at 10^4)
  void aRefusalWithEveryServerDownDoesNotScanTheServers() {
    List<Server> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add(new Server("10.8." + (i >> 8) + "." + (i & 255), 8080));
    }
    LoadBalancer lb =
        LoadBalancer.builder(many)
            .algorithm(Algorithm.CONSISTENT_HASH)
            .placement(PlacementType.RENDEZVOUS)
            .build();
    many.forEach(s -> s.setHealthy(false));
    assertThat(lb.tableForTest().candidates).isEmpty();
    for (int i = 0; i < 10_000; i++) {
      assertThat(lb.route(keyed("job-" + i))).isEmpty();
    }
    assertThat(lb.stats().rejected()).isEqualTo(10_000);
  }

  @Test
  void totalsNeverGoDownWhileServersComeAndGo() {
    List<Server> s = servers(3);
    LoadBalancer lb = new LoadBalancer(s);
    long last = 0;
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 5; i++) {
        lb.acquire(path("/x")).close();
      }
      Server leaving = s.get(round % 3);
      lb.removeServer(leaving);
      long total = lb.stats().totalRequests();
      assertThat(total).isGreaterThanOrEqualTo(last);
      last = total;
      lb.addServer(leaving);
    }
    Stats stats = lb.stats();
    assertThat(stats.totalRequests()).isEqualTo(100);
    assertThat(stats.totalCompleted()).isEqualTo(100);
    assertThat(stats.requestsPerServer().values().stream().mapToLong(Long::longValue).sum())
        .as("rows show members only, counted since they last joined")
        .isLessThan(100);
  }

  @Test
  void messagesCarryNothingOfTheRequestAndStayShort() {
    String hugeKey = "k".repeat(10 * 1024 * 1024);
    Request request =
        Request.builder()
            .key(hugeKey)
            .clientIp("203.0.113.77")
            .cookie(SessionAffinity.DEFAULT_COOKIE_NAME, "secret-cookie")
            .header("Authorization", "Bearer secret-token")
            .build();
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s).algorithm(Algorithm.CONSISTENT_HASH).build();
    s.forEach(x -> x.setHealthy(false));
    assertThatThrownBy(() -> lb.acquire(request))
        .isInstanceOf(NoServerAvailableException.class)
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .hasSizeLessThan(200)
                    .doesNotContain("kkkk", "203.0.113.77", "secret"));
    s.forEach(x -> x.setHealthy(true));
    FailoverException failure =
        (FailoverException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    lb.execute(
                        request,
                        server -> {
                          throw new IllegalStateException("down");
                        }));
    assertThat(failure.getMessage()).hasSizeLessThan(200).doesNotContain("kkkk", "203.0.113.77");
  }

  @Test
  void aFailoverMessageNamesAtMostEightServers() {
    List<Server> s = servers(20);
    LoadBalancer lb =
        LoadBalancer.builder(s)
            .maxAttempts(20)
            .retryBudget(RetryBudget.create(1.0, 1_000, Ticker.system()))
            .retryRule(RetryRule.always()) // an IllegalStateException is no retry by default
            .build();
    FailoverException failure =
        (FailoverException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    lb.execute(
                        path("/x"),
                        server -> {
                          throw new IllegalStateException("down");
                        }));
    assertThat(failure.attempts()).isEqualTo(20);
    assertThat(failure.getMessage()).contains("12 more").doesNotContain(s.get(19).id() + ",");
  }

  @Test
  void aThrowableThatIsNeitherExceptionNorErrorFailsItsLease() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).maxAttempts(1).build();
    AtomicInteger failures = new AtomicInteger();
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onLeaseClosed(
              Request request,
              Server server,
              long nanos,
              @org.jspecify.annotations.Nullable Throwable failure) {
            if (failure != null) {
              failures.incrementAndGet();
            }
          }
        });
    Throwable odd = new Throwable("neither (expected by the test)");
    assertThatThrownBy(
            () ->
                lb.execute(
                    path("/x"),
                    server -> {
                      ListenerIsolationTest.<RuntimeException>sneakyThrow(odd);
                      return "unreachable";
                    }))
        .isInstanceOf(FailoverException.class)
        .hasCause(odd);
    assertThat(failures).hasValue(1);
    assertThat(lb.stats().totalErrors()).isOne();
  }
}
