package dev.lbkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.Server;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Dubbo harness reads what the benchmarks give it: the same servers, weights, connection counts
 * and keys as lbkit's rows. Each test goes through the benchmark's own states and methods.
 */
class DubboPeerTest {

  @Test
  void roundRobinWithTheBenchmarkWeightsPicksInOurSmoothOrder() {
    WeightedRoundRobinBenchmark benchmark = new WeightedRoundRobinBenchmark();
    benchmark.n = 100;
    benchmark.setUp();
    WeightedRoundRobinBenchmark.Dubbo dubbo = new WeightedRoundRobinBenchmark.Dubbo();
    dubbo.setUp(benchmark);

    // 2,000 picks: more than three rounds of the seeded weights (about 550 picks a round)
    List<Server> ours = new ArrayList<>();
    List<Server> dubboPicks = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      ours.add(benchmark.next());
      dubboPicks.add(DubboPeer.serverOf(benchmark.dubboRoundRobin(dubbo)));
    }
    assertThat(dubboPicks).isEqualTo(ours);
  }

  @Test
  void roundRobinOverEqualWeightsVisitsEveryServerOncePerRound() {
    RoundRobinBenchmark benchmark = new RoundRobinBenchmark();
    benchmark.n = 10;
    benchmark.setUp();
    RoundRobinBenchmark.Dubbo dubbo = new RoundRobinBenchmark.Dubbo();
    dubbo.setUp(benchmark);

    Set<Server> round = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      round.add(DubboPeer.serverOf(benchmark.dubboRoundRobin(dubbo)));
    }
    assertThat(round).hasSize(10);
  }

  @Test
  void leastActiveSeesTheBenchmarkConnectionCounts() {
    LeastConnectionsBenchmark benchmark = new LeastConnectionsBenchmark();
    benchmark.n = 10;
    benchmark.setUp();
    LeastConnectionsBenchmark.Dubbo dubbo = new LeastConnectionsBenchmark.Dubbo();
    dubbo.setUp(benchmark);
    Server ours = benchmark.next();
    assertThat(ours).isNotNull();

    for (int i = 0; i < 100; i++) {
      Server picked = DubboPeer.serverOf(benchmark.dubboLeastActive(dubbo));
      assertThat(picked.activeConnections()).isEqualTo(ours.activeConnections());
    }
  }

  @Test
  void consistentHashMapsEachKeyToOneServerAndSpreadsTheKeys() {
    ConsistentHashBenchmark benchmark = new ConsistentHashBenchmark();
    ConsistentHashBenchmark.Ring ring = new ConsistentHashBenchmark.Ring();
    ring.n = 10;
    ring.setUp();
    ConsistentHashBenchmark.DubboRing dubbo = new ConsistentHashBenchmark.DubboRing();
    dubbo.setUp(ring);
    ConsistentHashBenchmark.Keys keys = new ConsistentHashBenchmark.Keys();
    ConsistentHashBenchmark.Invocations invocations = new ConsistentHashBenchmark.Invocations();
    invocations.setUp(keys);

    List<Server> first = new ArrayList<>();
    List<Server> second = new ArrayList<>();
    for (int i = 0; i < 2 * keys.keys.length; i++) {
      Server server = DubboPeer.serverOf(benchmark.dubboConsistentHash(dubbo, keys, invocations));
      (i < keys.keys.length ? first : second).add(server);
    }
    assertThat(second).isEqualTo(first);
    assertThat(new HashSet<>(first)).hasSize(10);
  }
}
