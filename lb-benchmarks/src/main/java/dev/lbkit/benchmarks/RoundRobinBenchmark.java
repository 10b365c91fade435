package dev.lbkit.benchmarks;

import dev.lbkit.core.RoundRobin;
import dev.lbkit.core.Server;
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
 * The cost of one {@link RoundRobin#next()} pick over {@code n} servers: with every server healthy
 * ({@link #next}), and with 30% of them unhealthy ({@link #nextWith30PercentUnhealthy}, spread
 * evenly over the list). Health is set before the balancer is built, so both measure the steady
 * state: the healthy subset is precomputed and a pick should cost the same in both, about one
 * shared atomic increment. {@link #dubboRoundRobin} is the peer: Apache Dubbo's {@code
 * RoundRobinLoadBalance} over the same n servers, all of weight 1 (see {@link DubboPeer}). With
 * several benchmark threads all of them pick from one balancer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // the balancers are built in setUp()
public class RoundRobinBenchmark {

  @Param({"3", "10", "100"})
  int n;

  private RoundRobin allHealthy;
  private RoundRobin partlyUnhealthy;

  /** Dubbo's balancer over the same {@code n} servers; built only for {@link #dubboRoundRobin}. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Dubbo {

    DubboPeer roundRobin;

    /** Builds the peer at the benchmark's {@code n}. */
    @Setup
    public void setUp(RoundRobinBenchmark benchmark) {
      roundRobin = DubboPeer.roundRobin(Fixtures.servers(benchmark.n));
    }
  }

  /** Builds both balancers over {@code n} servers each. */
  @Setup
  public void setUp() {
    List<Server> servers = Fixtures.servers(n);
    Fixtures.markUnhealthy(servers, 0.3);
    partlyUnhealthy = new RoundRobin(servers);
    allHealthy = new RoundRobin(Fixtures.servers(n));
  }

  /** One pick, every server healthy. */
  @Benchmark
  public @Nullable Server next() {
    return allHealthy.next();
  }

  /** One pick, 30% of the servers (rounded) unhealthy. */
  @Benchmark
  public @Nullable Server nextWith30PercentUnhealthy() {
    return partlyUnhealthy.next();
  }

  /** Peer: one pick of Dubbo's {@code RoundRobinLoadBalance}, every server healthy. */
  @Benchmark
  public Invoker<Object> dubboRoundRobin(Dubbo dubbo) {
    return dubbo.roundRobin.select();
  }
}
