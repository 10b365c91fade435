package dev.lbkit.benchmarks;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the balancer's routing table costs when things change, and what a route costs as the servers
 * grow: the targets for the reshaped lb-core. Not part of the report's quick pass (these
 * are absolute costs with no peer to compare with); run by name:
 *
 * <pre>{@code
 * java -jar lb-benchmarks/target/benchmarks.jar RoutingBenchmark -prof gc
 * }</pre>
 */
public class RoutingBenchmark {

  private RoutingBenchmark() {}

  /** Builds {@code n} servers with distinct ids. */
  static List<Server> servers(int n, String prefix) {
    List<Server> servers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      servers.add(new Server(prefix + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 8080));
    }
    return servers;
  }

  /** {@code route} for every algorithm at n = 10, 100 and 10^4, all healthy, no limits. */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Fork(1)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Pick {
    @Param({"10", "100", "10000"})
    int n;

    @Param({
      "ROUND_ROBIN",
      "WEIGHTED_ROUND_ROBIN",
      "LEAST_CONNECTIONS",
      "RANDOM",
      "POWER_OF_TWO_CHOICES",
      "LEAST_LOADED",
      "CONSISTENT_HASH",
      "PEAK_EWMA"
    })
    Algorithm algorithm;

    private LoadBalancer lb;
    private Request[] keyed;

    /** A cursor over the keyed requests, one per benchmark thread. */
    @State(Scope.Thread)
    public static class Cursor {
      int next;
    }

    @Setup
    public void setUp() {
      lb =
          LoadBalancer.builder(Fixtures.weightedServers(n, Fixtures.SEED))
              .algorithm(algorithm)
              .build();
      keyed = new Request[1 << 10];
      for (int i = 0; i < keyed.length; i++) {
        keyed[i] =
            Request.builder().key("user-" + Long.toHexString(i * 0x9E3779B97F4A7C15L)).build();
      }
    }

    @Benchmark
    public Optional<Server> route(Cursor cursor) {
      return lb.route(keyed[cursor.next++ & (keyed.length - 1)]);
    }
  }

  /**
   * The first route after a health flip of one of the balancer's servers (the flip itself, with the
   * table's rebuild on the flipping thread, runs in the per-invocation set-up and is not timed), at
   * n = 4,096 for weighted round robin and 10^5 for round robin.
   */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Fork(1)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class AfterFlip {
    /** Weighted round robin runs over 4,096 weighted servers, round robin over 10^5. */
    @Param({"WEIGHTED_ROUND_ROBIN", "ROUND_ROBIN"})
    Algorithm algorithm;

    private LoadBalancer lb;
    private Server flipped;

    @Setup
    public void setUp() {
      boolean weighted = algorithm == Algorithm.WEIGHTED_ROUND_ROBIN;
      int n = weighted ? 4_096 : 100_000;
      List<Server> servers =
          weighted ? Fixtures.weightedServers(n, Fixtures.SEED) : servers(n, "10.");
      lb = LoadBalancer.builder(servers).algorithm(algorithm).build();
      flipped = servers.get(n / 2);
    }

    @Setup(Level.Invocation)
    public void flip() {
      flipped.setHealthy(!flipped.isHealthy());
    }

    @Benchmark
    public Optional<Server> firstRouteAfterFlip() {
      return lb.route(Request.empty());
    }

    /** The flip and the route together: what the flipping thread pays for the rebuild. */
    @Benchmark
    public Optional<Server> flipAndRoute() {
      flipped.setHealthy(!flipped.isHealthy());
      return lb.route(Request.empty());
    }
  }

  /** Membership changes: bulk replacement, one server at a time on a ring, refusals. */
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Fork(1)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Changes {
    private LoadBalancer ring; // 10^4 servers, sticky (client IP ring) and CONSISTENT_HASH ring
    private List<Server> spare;
    private int nextSpare;
    private LoadBalancer down; // 10^4 servers, all unhealthy
    private LoadBalancer bulk;
    private List<Server> setA;
    private List<Server> setB;
    private boolean onA;

    @Setup
    public void setUp() {
      ring =
          LoadBalancer.builder(servers(10_000, "10.")).algorithm(Algorithm.CONSISTENT_HASH).build();
      spare = servers(1_000, "11.");
      List<Server> unhealthy = servers(10_000, "12.");
      down = new LoadBalancer(unhealthy);
      unhealthy.forEach(s -> s.setHealthy(false));
      setA = servers(100_000, "13.");
      setB = new ArrayList<>(setA.subList(50_000, 100_000));
      setB.addAll(servers(50_000, "14."));
      bulk = new LoadBalancer(setA);
      onA = true;
    }

    /** {@code addServer} then {@code removeServer} of one server on a 10^4-server ring balancer. */
    @Benchmark
    public int addThenRemoveOnRing() {
      Server s = spare.get(nextSpare++ % spare.size());
      ring.addServer(s);
      ring.removeServer(s);
      return ring.servers().size();
    }

    /** A route when every one of 10^4 servers is down. */
    @Benchmark
    public Optional<Server> refusalAllDown() {
      return down.route(Request.empty());
    }

    /** {@code setServers} of 10^5 servers, half of them new each time. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, batchSize = 1)
    @Measurement(iterations = 6, batchSize = 1)
    public int setServers100k() {
      bulk.setServers(onA ? setB : setA);
      onA = !onA;
      return bulk.servers().size();
    }
  }
}
