package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The seed's Level 3 and Level 4 test cases ("Project 28: Load Balancer") for the {@link
 * LoadBalancer}, in order, in Java. The health checker's part of Level 3 belongs to lb-health.
 */
class SeedLevel3And4Test {

  private final List<Server> servers =
      List.of(new Server("a", 8080), new Server("b", 8081), new Server("c", 8082));

  private static Request req(String path) {
    return Request.builder().path(path).build();
  }

  @Test
  void level3() {
    LoadBalancer lb = new LoadBalancer(servers, Algorithm.ROUND_ROBIN);

    // All healthy: normal routing
    Server server = lb.route(req("/api")).orElseThrow();
    assertThat(server.isHealthy()).isTrue();

    // Mark one unhealthy: never routed to
    servers.get(0).setHealthy(false);
    for (int i = 0; i < 100; i++) {
      Server s = lb.route(req("/api")).orElseThrow();
      assertThat(s.host()).isNotEqualTo(servers.get(0).host());
    }
  }

  @Test
  void level3DefaultAlgorithmIsRoundRobin() {
    LoadBalancer lb = new LoadBalancer(servers);
    assertThat(lb.algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
    assertThat(lb.route(req("/1")).orElseThrow().host()).isEqualTo("a");
    assertThat(lb.route(req("/2")).orElseThrow().host()).isEqualTo("b");
    assertThat(lb.route(req("/3")).orElseThrow().host()).isEqualTo("c");
  }

  @Test
  void level4() {
    LoadBalancer lb = LoadBalancer.builder(servers).sticky(true).rateLimit(100).build();

    // Same client goes to same server
    Request req = Request.builder().clientIp("1.2.3.4").path("/api").build();
    Server server1 = lb.route(req).orElseThrow();
    Server server2 = lb.route(req).orElseThrow();
    assertThat(server1.host()).isEqualTo(server2.host()); // sticky

    // Different clients may go to different servers
    Request req2 = Request.builder().clientIp("5.6.7.8").path("/api").build();
    Optional<Server> server3 = lb.route(req2);
    assertThat(server3).isPresent(); // may or may not equal server1

    // Rate limiting
    LoadBalancer lb2 = LoadBalancer.builder(servers).rateLimit(2).build();
    assertThat(lb2.route(req("/1"))).isPresent();
    assertThat(lb2.route(req("/2"))).isPresent();
    Optional<Server> result = lb2.route(req("/3")); // may route to a different server
    assertThat(result).isPresent();

    Stats stats = lb.stats();
    Map<String, Long> requestsPerServer = stats.requestsPerServer();
    assertThat(requestsPerServer).containsOnlyKeys("a:8080", "b:8081", "c:8082");
    assertThat(requestsPerServer.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(3);
    assertThat(requestsPerServer.get(server1.id())).isGreaterThanOrEqualTo(2);
  }

  @Test
  void level4AllServersAtTheirLimitMeansNoServer() {
    // "If all servers at limit, return None (503 response)": within one second of fake time.
    FakeTicker ticker = new FakeTicker();
    LoadBalancer lb = LoadBalancer.builder(servers).rateLimit(2).ticker(ticker).build();
    for (int i = 0; i < 6; i++) {
      assertThat(lb.route(req("/" + i))).as("request %s", i).isPresent();
    }
    assertThat(lb.route(req("/7"))).isEmpty();
    assertThat(lb.stats().requestsPerServer())
        .containsOnly(Map.entry("a:8080", 2L), Map.entry("b:8081", 2L), Map.entry("c:8082", 2L));
    assertThat(lb.stats().rejected()).isEqualTo(1);
  }
}
