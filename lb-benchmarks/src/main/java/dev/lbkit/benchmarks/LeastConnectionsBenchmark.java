package dev.lbkit.benchmarks;

import dev.lbkit.core.LeastConnections;
import dev.lbkit.core.Server;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

  private LeastConnections leastConnections;

  /** Builds the balancer and opens 1 + (0..3) connections on every server. */
  @Setup
  public void setUp() {
    List<Server> servers = Fixtures.servers(n);
    leastConnections = new LeastConnections(servers);
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
}
