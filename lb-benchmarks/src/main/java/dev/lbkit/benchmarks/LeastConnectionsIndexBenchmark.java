package dev.lbkit.benchmarks;

import dev.lbkit.core.LeastConnections;
import dev.lbkit.core.Server;
import dev.lbkit.core.internal.LeastConnectionsIndex;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * The least-connections pick through lb-core's {@link LeastConnectionsIndex} beside the full scan
 * it replaces ({@code LeastScan.fewestConnections}, copied here as {@link #scan}), over {@code n}
 * servers holding the seeded {@link #counts}. {@link #indexPick} and {@link #scanPick} leave the
 * counts unchanged; the {@code ...ConnectDisconnect} variants add a caller's bookkeeping per
 * request, {@code connect} then {@code disconnect} on the picked server, and for the index the two
 * {@code countChanged} reports of those changes.
 *
 * <p>Both picks take their start from a plain {@code long} field, so neither pays for the shared
 * atomic sequence a balancer would increment (the same few ns for both).
 *
 * <p>Not part of {@link BenchmarkReport}'s plan; run it by name: {@code java -jar
 * lb-benchmarks/target/benchmarks.jar LeastConnectionsIndexBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // built in setUp()
public class LeastConnectionsIndexBenchmark {

  @Param({"10", "100", "10000"})
  int n;

  /**
   * Each server's connections. "0..3": random, a quarter of the servers idle, so the scan stops at
   * the first idle one it meets. "1..4": none idle, so the scan reads all n. "1..4+1idle": the same
   * with server n/2 idle, so every pick is that one server, which the index finds through all its
   * summary layers (its sparsest case).
   */
  @Param({"0..3", "1..4", "1..4+1idle"})
  String counts;

  private Server[] servers;
  private LeastConnections connections;
  private LeastConnectionsIndex index;
  private long sequence;

  /** Opens the connections {@link #counts} says on every server, then builds the index. */
  @Setup
  public void setUp() {
    List<Server> list = Fixtures.servers(n);
    servers = list.toArray(new Server[0]);
    connections = new LeastConnections(list);
    int base = counts.startsWith("1") ? 1 : 0;
    Random random = new Random(Fixtures.SEED);
    for (int slot = 0; slot < n; slot++) {
      boolean idle = counts.endsWith("idle") && slot == n / 2;
      for (int c = idle ? 0 : base + random.nextInt(4); c > 0; c--) {
        connections.connect(servers[slot]);
      }
    }
    Server[] held = servers;
    index = new LeastConnectionsIndex(n, slot -> held[slot].activeConnections());
  }

  /** One pick through the index. */
  @Benchmark
  public Server indexPick() {
    return servers[index.pick(sequence++)];
  }

  /** One pick by a full scan from {@code sequence mod n}: the baseline. */
  @Benchmark
  public Server scanPick() {
    return scan(servers, start(sequence++, n));
  }

  /** A pick through the index, then a connect and a disconnect, each reported to the index. */
  @Benchmark
  public Server indexPickConnectDisconnect() {
    int slot = index.pick(sequence++);
    Server server = servers[slot];
    connections.connect(server);
    int opened = server.activeConnections();
    index.countChanged(slot, opened - 1, opened);
    connections.disconnect(server);
    index.countChanged(slot, opened, opened - 1);
    return server;
  }

  /** A scan pick, then a connect and a disconnect: the baseline of the cycle above. */
  @Benchmark
  public Server scanPickConnectDisconnect() {
    Server server = scan(servers, start(sequence++, n));
    connections.connect(server);
    connections.disconnect(server);
    return server;
  }

  /** {@code LeastScan.fewestConnections}, copied as it stands. */
  private static Server scan(Server[] healthy, int start) {
    Server best = healthy[start];
    int fewest = best.activeConnections();
    for (int i = start + 1; i < healthy.length && fewest > 0; i++) {
      int connections = healthy[i].activeConnections();
      if (connections < fewest) {
        best = healthy[i];
        fewest = connections;
      }
    }
    for (int i = 0; i < start && fewest > 0; i++) {
      int connections = healthy[i].activeConnections();
      if (connections < fewest) {
        best = healthy[i];
        fewest = connections;
      }
    }
    return best;
  }

  /** {@code Sequences.index}: the sequence mod n, read as unsigned. */
  private static int start(long sequence, int size) {
    if ((sequence >>> 31) == 0) {
      return (int) sequence % size;
    }
    return (int) Long.remainderUnsigned(sequence, size);
  }
}
