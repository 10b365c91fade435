package dev.lbkit.benchmarks;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.google.common.hash.Hashing;
import dev.lbkit.core.Server;
import dev.lbkit.hashing.ConsistentHash;
import dev.lbkit.hashing.KeyHash;
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
 * The cost of mapping a key to a node: lbkit's ring lookup {@link ConsistentHash#getNode(String)}
 * over {@code n} nodes with 150 virtual nodes each ({@link #getNode}), beside two peers on the same
 * keys and the key hash alone. Keys come from an array of 1,024 random 16-character strings,
 * rotated by a per-thread cursor, so no result or branch can be learned from one constant key.
 *
 * <ul>
 *   <li>{@link #guavaConsistentHash}: Guava's {@code Hashing.consistentHash(long, int)}, and {@link
 *       #hash4jJumpBackHash}: hash4j's {@code jumpBackHashSplitMix64().getBucket(long, int)}. Both
 *       are fed {@link KeyHash#of} of the key, so key hashing is included equally in all three.
 *       They are <em>bucket-number jump hashes, not rings</em>: they map a key to a bucket in
 *       {@code [0, n)}, keep no state, and can only add or remove the last bucket, while the ring
 *       maps keys to named nodes and removes any of them. They bound what a lookup could cost, not
 *       what a ring must.
 *   <li>{@link #keyHash}: {@link KeyHash#of} alone (XXH3 of 16 chars), the floor of all three.
 *   <li>{@link #addThenRemoveNode}: one {@link ConsistentHash#addNode} followed by {@link
 *       ConsistentHash#removeNode} of the same node on a ring of 100 nodes; one operation is both
 *       changes, so it is about twice the cost of one membership change.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConsistentHashBenchmark {

  /** Immutable and thread-safe (unlike {@code jumpBackHash(provider)} instances). */
  private static final ConsistentBucketHasher JUMP_BACK_HASH =
      ConsistentHashing.jumpBackHashSplitMix64();

  /** A ring of {@code n} servers, 150 virtual nodes each, shared by all benchmark threads. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Ring {

    @Param({"10", "100", "1000"})
    int n;

    ConsistentHash<Server> ring;

    /** Builds the ring. */
    @Setup
    public void setUp() {
      ring = new ConsistentHash<>(Fixtures.servers(n), ConsistentHash.DEFAULT_VIRTUAL_NODES);
    }
  }

  /** A ring of 100 servers that {@link #addThenRemoveNode} changes and restores. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class MutableRing {

    @Param({"100"})
    int n;

    ConsistentHash<Server> ring;
    Server extra;

    /** Builds the ring and the node that is added and removed. */
    @Setup
    public void setUp() {
      ring = new ConsistentHash<>(Fixtures.servers(n), ConsistentHash.DEFAULT_VIRTUAL_NODES);
      extra = new Server("10.255.255.254", 8080);
    }
  }

  /** 1,024 random 16-character keys and this thread's position in them. */
  @State(Scope.Thread)
  public static class Keys {

    private static final int COUNT = 1 << 10; // a power of two: the cursor wraps with a mask

    private final String[] keys = Fixtures.randomKeys(COUNT, 16, Fixtures.SEED);
    private int cursor;

    /** Returns the next key, cycling through the array. */
    String next() {
      return keys[cursor++ & (COUNT - 1)];
    }
  }

  /** The ring lookup, key hashing included. */
  @Benchmark
  public @Nullable Server getNode(Ring ring, Keys keys) {
    return ring.ring.getNode(keys.next());
  }

  /** Peer: Guava's jump hash of the same key hash; bucket semantics, not a ring. */
  @Benchmark
  public int guavaConsistentHash(Ring ring, Keys keys) {
    return Hashing.consistentHash(KeyHash.of(keys.next()), ring.n);
  }

  /** Peer: hash4j's JumpBackHash of the same key hash; bucket semantics, not a ring. */
  @Benchmark
  public int hash4jJumpBackHash(Ring ring, Keys keys) {
    return JUMP_BACK_HASH.getBucket(KeyHash.of(keys.next()), ring.n);
  }

  /** Floor: hashing the key, nothing else. */
  @Benchmark
  public long keyHash(Keys keys) {
    return KeyHash.of(keys.next());
  }

  /** One node added to a 100-node ring and removed again. */
  @Benchmark
  public int addThenRemoveNode(MutableRing ring) {
    ring.ring.addNode(ring.extra);
    ring.ring.removeNode(ring.extra);
    return ring.ring.size();
  }
}
