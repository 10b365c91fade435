package dev.lbkit.benchmarks;

import dev.lbkit.core.LeastConnections;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Server;
import dev.lbkit.core.ServerPicker;
import java.util.List;
import java.util.Random;
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
 * The cost of {@link LeastConnections#next()} over {@code n} healthy servers, each holding one
 * connection plus 0..3 more (seeded), so no server is idle and every pick scans all n servers (the
 * scan stops early only at a server with no connections): the worst case of the algorithm. {@link
 * #nextConnectDisconnect} measures the cycle a caller runs per request, a pick then {@code connect}
 * and {@code disconnect} on the picked server, which leaves the counts as they were.
 *
 * <p>On the same loaded servers: {@link #powerOfTwoChoices}, lbkit's power of two choices (the less
 * loaded of two random servers, O(1) in n), and the peer {@link #dubboLeastActive}, Apache Dubbo's
 * {@code LeastActiveLoadBalance} with each server's connection count copied into Dubbo's active
 * count (see {@link DubboPeer}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // the balancer is built in setUp()
public class LeastConnectionsBenchmark {

  @Param({"10", "100"})
  int n;

  private List<Server> servers;
  private LeastConnections leastConnections;
  private ServerPicker powerOfTwo;

  /** Dubbo's balancer over the same loaded servers; built only for {@link #dubboLeastActive}. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Dubbo {

    DubboPeer leastActive;

    /** Builds the peer once the benchmark's servers hold their connections. */
    @Setup
    public void setUp(LeastConnectionsBenchmark benchmark) {
      leastActive = DubboPeer.leastActive(benchmark.servers);
    }
  }

  /** Builds the balancers and opens 1 + (0..3) connections on every server. */
  @Setup
  public void setUp() {
    servers = Fixtures.servers(n);
    leastConnections = new LeastConnections(servers);
    powerOfTwo = ServerPicker.powerOfChoices(servers, 2, RandomSources.threadLocal());
    Random random = new Random(Fixtures.SEED);
    for (Server server : servers) {
      int connections = 1 + random.nextInt(4);
      for (int c = 0; c < connections; c++) {
        leastConnections.connect(server);
      }
    }
  }

  /** One pick: a full scan of n connection counts. */
  @Benchmark
  public @Nullable Server next() {
    return leastConnections.next();
  }

  /** One request's worth of bookkeeping: pick, connect, disconnect. */
  @Benchmark
  public @Nullable Server nextConnectDisconnect() {
    Server server = leastConnections.next();
    if (server != null) {
      leastConnections.connect(server);
      leastConnections.disconnect(server);
    }
    return server;
  }

  /** The less loaded of two random servers. */
  @Benchmark
  public @Nullable Server powerOfTwoChoices() {
    return powerOfTwo.next();
  }

  /**
   * Peer: one pick of Dubbo's {@code LeastActiveLoadBalance} (a full scan, ties broken at random).
   */
  @Benchmark
  public Invoker<Object> dubboLeastActive(Dubbo dubbo) {
    return dubbo.leastActive.select();
  }
}
