package dev.lbkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.Server;
import dev.lbkit.core.WeightedRoundRobin;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The baseline is the same algorithm as lbkit's, so the benchmark compares like with like. */
class NginxSmoothWrrBaselineTest {

  @Test
  void weights511GiveNginxsOrder() {
    Server a = new Server("a", 1, 5);
    Server b = new Server("b", 1, 1);
    Server c = new Server("c", 1, 1);
    NginxSmoothWrrBaseline baseline = new NginxSmoothWrrBaseline(List.of(a, b, c));

    assertThat(picks(baseline, 7)).containsExactly(a, a, b, a, c, a, a);
  }

  @Test
  void pickSequenceEqualsWeightedRoundRobinsOnTheBenchmarkWeights() {
    List<Server> servers = Fixtures.weightedServers(100, Fixtures.SEED);
    int period = servers.stream().mapToInt(Server::weight).sum();
    NginxSmoothWrrBaseline baseline = new NginxSmoothWrrBaseline(servers);
    WeightedRoundRobin library = new WeightedRoundRobin(servers);

    List<Server> expected = new ArrayList<>();
    for (int i = 0; i < 2 * period; i++) {
      expected.add(library.next());
    }
    assertThat(picks(baseline, 2 * period)).isEqualTo(expected);
  }

  private static List<Server> picks(NginxSmoothWrrBaseline baseline, int count) {
    List<Server> picks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      picks.add(baseline.next());
    }
    return picks;
  }
}
