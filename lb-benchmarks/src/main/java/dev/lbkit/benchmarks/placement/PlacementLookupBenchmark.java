package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.Fixtures;
import dev.lbkit.hashing.KeyHash;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of mapping a 16-character key to a node, hashing the key included, for one candidate
 * over {@code n} nodes ({@link Subject}). Keys rotate through 1,024 random strings, so neither the
 * string's cached hash code nor the branch predictor learns one key. Bounded loads are measured
 * with every node at the same load, below every cap. {@link PlacementReport} sets forks and
 * iterations; on the command line pass them ({@code -f 1 -wi 3 -i 5}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PlacementLookupBenchmark {

  /** The candidate built over the subject's nodes. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // set in setUp()
  public static class Built {

    Mapping mapping;

    /** Builds the mapping. */
    @Setup
    public void setUp(Subject subject) {
      mapping = subject.build();
    }
  }

  /** 1,024 random 16-character keys, the same in every run, and this thread's place in them. */
  @State(Scope.Thread)
  public static class Keys {

    private static final int MASK = (1 << 10) - 1;

    private final String[] all = Fixtures.randomKeys(MASK + 1, 16, Fixtures.SEED);
    private int next;

    String next() {
      return all[next++ & MASK];
    }
  }

  /** The lookup, key hashing included. */
  @Benchmark
  public @Nullable Node lookup(Built built, Keys keys) {
    return built.mapping.owner(keys.next());
  }

  /** The floor of every lookup: hashing the key ({@code KeyHash.of}), nothing else. */
  @Benchmark
  public long keyHash(Keys keys) {
    return KeyHash.of(keys.next());
  }
}
