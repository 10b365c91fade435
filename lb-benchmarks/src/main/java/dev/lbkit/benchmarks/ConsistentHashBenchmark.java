package dev.lbkit.benchmarks;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.google.common.hash.Hashing;
import dev.lbkit.core.Server;
import dev.lbkit.hashing.ConsistentHash;
import dev.lbkit.hashing.KeyHash;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.dubbo.rpc.Invocation;
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
 * The cost of mapping a key to a node: lbkit's ring lookup {@link ConsistentHash#getNode(String)}
 * over {@code n} nodes with 150 virtual nodes each ({@link #getNode}), beside three peers on the
 * same keys and the key hash alone. Keys come from an array of 1,024 random 16-character strings,
 * rotated by a per-thread cursor, so no result or branch can be learned from one constant key.
 *
 * <ul>
 *   <li>{@link #dubboConsistentHash}: Apache Dubbo's {@code ConsistentHashLoadBalance}, a ring too
 *       (MD5 of the key, a {@code TreeMap} of 148 points per node; see {@link DubboPeer}), given
 *       each key as the invocation's argument. The one peer with the same semantics.
 *   <li>{@link #guavaConsistentHash}: Guava's {@code Hashing.consistentHash(long, int)}, and {@link
 *       #hash4jJumpBackHash}: hash4j's {@code jumpBackHashSplitMix64().getBucket(long, int)}. Both
 *       are fed {@link KeyHash#of} of the key, so key hashing is included equally. They are
 *       <em>bucket-number jump hashes, not rings</em>: they map a key to a bucket in {@code [0,
 *       n)}, keep no state, and can only add or remove the last bucket, while the ring maps keys to
 *       named nodes and removes any of them. They bound what a lookup could cost, not what a ring
 *       must.
 *   <li>{@link #keyHash}: {@link KeyHash#of} alone (XXH3 of 16 chars), the floor of all of them,
 *       beside {@link #hash4jXxh3}, hash4j's own {@code xxh3_64().hashCharsToLong}, which {@code
 *       KeyHash} wraps: their ratio is the wrapper's cost.
 *   <li>{@link #addThenRemoveNode}: one {@link ConsistentHash#addNode} followed by {@link
 *       ConsistentHash#removeNode} of the same node on a ring of 100 nodes; one operation is both
 *       changes, so it is about twice the cost of one membership change. Each benchmark thread adds
 *       and removes its own node, so two threads contend for the ring's write lock.
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

  /** hash4j's XXH3-64 with seed 0, the function {@link KeyHash#of} wraps. */
  private static final Hasher64 XXH3 = com.dynatrace.hash4j.hashing.Hashing.xxh3_64();

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

  /** Dubbo's ring over the same {@code n} servers; built only for {@link #dubboConsistentHash}. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class DubboRing {

    DubboPeer ring;

    /** Builds the peer, and its ring, at the lbkit ring's {@code n}. */
    @Setup
    public void setUp(Ring lbkit) {
      ring = DubboPeer.consistentHash(Fixtures.servers(lbkit.n));
    }
  }

  /** A ring of 100 servers that {@link #addThenRemoveNode} changes and restores. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class MutableRing {

    @Param({"100"})
    int n;

    ConsistentHash<Server> ring;

    /** Builds the ring. */
    @Setup
    public void setUp() {
      ring = new ConsistentHash<>(Fixtures.servers(n), ConsistentHash.DEFAULT_VIRTUAL_NODES);
    }
  }

  /** The node this thread adds to and removes from the {@link MutableRing}: one per thread. */
  @State(Scope.Thread)
  public static class ExtraNode {

    private static final AtomicInteger THREADS = new AtomicInteger();

    final Server node = new Server("10.255.255." + (1 + THREADS.getAndIncrement() % 250), 8080);
  }

  /** 1,024 random 16-character keys and this thread's position in them. */
  @State(Scope.Thread)
  public static class Keys {

    private static final int COUNT = 1 << 10; // a power of two: the cursor wraps with a mask

    final String[] keys = Fixtures.randomKeys(COUNT, 16, Fixtures.SEED);
    private int cursor;

    /** Returns the index of the next key, cycling through the array. */
    int nextIndex() {
      return cursor++ & (COUNT - 1);
    }

    /** Returns the next key, cycling through the array. */
    String next() {
      return keys[nextIndex()];
    }
  }

  /** The same keys as Dubbo invocations (the key as the only argument); built only for Dubbo. */
  @State(Scope.Thread)
  @SuppressWarnings("NullAway.Init") // built in setUp()
  public static class Invocations {

    Invocation[] byIndex;

    /** Wraps each of this thread's keys in an invocation. */
    @Setup
    public void setUp(Keys keys) {
      byIndex = DubboPeer.invocations(keys.keys);
    }
  }

  /** The ring lookup, key hashing included. */
  @Benchmark
  public @Nullable Server getNode(Ring ring, Keys keys) {
    return ring.ring.getNode(keys.next());
  }

  /** Peer: Dubbo's ring lookup of the same key, the invocation prepared in advance. */
  @Benchmark
  public Invoker<Object> dubboConsistentHash(DubboRing ring, Keys keys, Invocations invocations) {
    return ring.ring.select(invocations.byIndex[keys.nextIndex()]);
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

  /** Peer of the floor: hash4j's XXH3 of the key, without {@code KeyHash}'s wrapper. */
  @Benchmark
  public long hash4jXxh3(Keys keys) {
    return XXH3.hashCharsToLong(keys.next());
  }

  /** This thread's node added to a 100-node ring and removed again. */
  @Benchmark
  public int addThenRemoveNode(MutableRing ring, ExtraNode extra) {
    ring.ring.addNode(extra.node);
    ring.ring.removeNode(extra.node);
    return ring.ring.size();
  }
}
