package dev.lbkit.benchmarks;

import dev.lbkit.core.Server;
import dev.lbkit.core.WeightedRoundRobin;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.dubbo.rpc.Invoker;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one smooth weighted round-robin pick over {@code n} healthy servers whose weights are
 * drawn from 1..10 with a fixed seed: lbkit's {@link WeightedRoundRobin#next()} ({@link #next}),
 * which reads a precomputed nginx schedule, against {@link NginxSmoothWrrBaseline} ({@link
 * #nginxBaseline}), the textbook {@code synchronized} O(n) loop that yields the same sequence. Both
 * use the same servers and weights at each n, so their ratio is the gain of precomputing. {@link
 * #dubboRoundRobin} is a second peer on the same weighted servers: Apache Dubbo's {@code
 * RoundRobinLoadBalance}, also a smooth weighted round robin, O(n) per pick (see {@link
 * DubboPeer}). With several benchmark threads all of them pick from one balancer (and contend for
 * the baseline's lock).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // the balancers are built in setUp()
public class WeightedRoundRobinBenchmark {

  @Param({"10", "100", "1000"})
  int n;

  private List<Server> servers;
  private WeightedRoundRobin weightedRoundRobin;
  private NginxSmoothWrrBaseline nginx;

  /** Dubbo's balancer over the same weighted servers; built only for {@link #dubboRoundRobin}. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Dubbo {

    DubboPeer roundRobin;

    /** Builds the peer over the benchmark's servers. */
    @Setup
    public void setUp(WeightedRoundRobinBenchmark benchmark) {
      roundRobin = DubboPeer.roundRobin(benchmark.servers);
    }
  }

  /** Builds lbkit's balancer and the baseline over the same weighted servers. */
  @Setup
  public void setUp() {
    servers = Fixtures.weightedServers(n, Fixtures.SEED);
    weightedRoundRobin = new WeightedRoundRobin(servers);
    nginx = new NginxSmoothWrrBaseline(servers);
  }

  /** One pick from lbkit's {@code WeightedRoundRobin}. */
  @Benchmark
  public @Nullable Server next() {
    return weightedRoundRobin.next();
  }

  /** One pick from the textbook {@code synchronized} nginx loop; not library code. */
  @Benchmark
  public Server nginxBaseline() {
    return nginx.next();
  }

  /** Peer: one pick of Dubbo's {@code RoundRobinLoadBalance} with the same weights. */
  @Benchmark
  public Invoker<Object> dubboRoundRobin(Dubbo dubbo) {
    return dubbo.roundRobin.select();
  }
}
