package dev.lbkit.benchmarks;

import dev.lbkit.core.Server;
import dev.lbkit.hashing.ConsistentHash;
import dev.lbkit.hashing.Maglev;
import java.util.List;
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
 * The ring against Maglev, and the ring's membership changes at scale.
 *
 * <ul>
 *   <li>{@link #ringGetNode} and {@link #maglevGetNode}: {@link ConsistentHash#getNode(String)}
 *       (150 virtual nodes) and {@link Maglev#getNode(String)} (the default 65,537 slots) over the
 *       same {@code n} servers and the same 1,024 random 16-character keys, in one run, so their
 *       ratio is the ring's lookup cost in Maglev units on this machine. Key hashing is included in
 *       both.
 *   <li>{@link #ringAddThenRemoveNode}: one {@link ConsistentHash#addNode} and one {@link
 *       ConsistentHash#removeNode} of the same server on a ring of {@code nodes} servers (10^4 by
 *       default: 1.5 x 10^6 points; pass {@code -p nodes=100000} for 1.5 x 10^7), so one operation
 *       is two changes.
 *   <li>{@link #ringBuild}: a ring of {@code buildNodes} servers built from the collection (10^5 by
 *       default: 1.5 x 10^7 points), one build per measured iteration.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RingBenchmark {

  /** A ring and a Maglev over the same {@code n} servers, shared by all benchmark threads. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Lookups {

    @Param({"100", "1000"})
    int n;

    ConsistentHash<Server> ring;
    Maglev<Server> maglev;

    /** Builds both placements. */
    @Setup
    public void setUp() {
      List<Server> servers = Fixtures.servers(n);
      ring = new ConsistentHash<>(servers, ConsistentHash.DEFAULT_VIRTUAL_NODES);
      maglev = new Maglev<>(servers);
    }
  }

  /** A large ring that {@link #ringAddThenRemoveNode} changes and restores. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class LargeRing {

    @Param({"10000"})
    int nodes;

    ConsistentHash<Server> ring;
    Server extra;

    /** Builds the ring and names a server not on it. */
    @Setup
    public void setUp() {
      List<Server> servers = Fixtures.servers(nodes + 1);
      extra = servers.remove(nodes);
      ring = new ConsistentHash<>(servers, ConsistentHash.DEFAULT_VIRTUAL_NODES);
    }
  }

  /** The servers {@link #ringBuild} builds a ring over. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class BuildInput {

    @Param({"100000"})
    int buildNodes;

    List<Server> servers;

    /** Names the servers. */
    @Setup
    public void setUp() {
      servers = Fixtures.servers(buildNodes);
    }
  }

  /** 1,024 random 16-character keys and this thread's position in them. */
  @State(Scope.Thread)
  public static class Keys {

    private static final int COUNT = 1 << 10; // a power of two: the cursor wraps with a mask

    final String[] keys = Fixtures.randomKeys(COUNT, 16, Fixtures.SEED);
    private int cursor;

    /** Returns the next key, cycling through the array. */
    String next() {
      return keys[cursor++ & (COUNT - 1)];
    }
  }

  /** The ring lookup, key hashing included. */
  @Benchmark
  public @Nullable Server ringGetNode(Lookups placements, Keys keys) {
    return placements.ring.getNode(keys.next());
  }

  /** Maglev's lookup of the same keys over the same servers, key hashing included. */
  @Benchmark
  public @Nullable Server maglevGetNode(Lookups placements, Keys keys) {
    return placements.maglev.getNode(keys.next());
  }

  /** One server added to the large ring and removed again: two membership changes. */
  @Benchmark
  public int ringAddThenRemoveNode(LargeRing large) {
    large.ring.addNode(large.extra);
    large.ring.removeNode(large.extra);
    return large.ring.size();
  }

  /** A ring of {@code buildNodes} servers built from the collection. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public ConsistentHash<Server> ringBuild(BuildInput input) {
    return new ConsistentHash<>(input.servers, ConsistentHash.DEFAULT_VIRTUAL_NODES);
  }
}
