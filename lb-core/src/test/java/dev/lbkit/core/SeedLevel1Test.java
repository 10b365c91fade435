package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed's Level 1 test cases ("Project 28: Load Balancer"), in order, in Java. */
class SeedLevel1Test {

  @Test
  void level1() {
    List<Server> servers =
        List.of(new Server("a", 8080), new Server("b", 8081), new Server("c", 8082));

    RoundRobin rr = new RoundRobin(servers);
    assertThat(rr.next().host()).isEqualTo("a");
    assertThat(rr.next().host()).isEqualTo("b");
    assertThat(rr.next().host()).isEqualTo("c");
    assertThat(rr.next().host()).isEqualTo("a"); // wraps around

    // Skip unhealthy
    servers.get(1).setHealthy(false);
    assertThat(rr.next().host()).isEqualTo("a");
    assertThat(rr.next().host()).isEqualTo("c"); // skips b

    // Weighted
    List<Server> weightedServers = List.of(new Server("a", 8080, 3), new Server("b", 8081, 1));
    WeightedRoundRobin wrr = new WeightedRoundRobin(weightedServers);
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      picks.add(wrr.next().host());
    }
    assertThat(picks).filteredOn("a"::equals).hasSize(6); // 3x weight
    assertThat(picks).filteredOn("b"::equals).hasSize(2);

    // Least connections
    LeastConnections lc = new LeastConnections(servers);
    lc.connect(servers.get(0));
    lc.connect(servers.get(0));
    assertThat(lc.next().host()).isEqualTo("c"); // a has 2 conns, c has 0
  }
}
