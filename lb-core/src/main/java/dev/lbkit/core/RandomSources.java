package dev.lbkit.core;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Random sources for lbkit's randomized algorithms. Every component that needs randomness takes a
 * {@link RandomGenerator}; these are the two that fit: the fast thread-safe default, and a seeded
 * one for deterministic tests and simulations.
 */
public final class RandomSources {

  private RandomSources() {}

  /**
   * Returns a thread-safe source that draws from the calling thread's {@link ThreadLocalRandom}: no
   * contention, no allocation. The default everywhere.
   */
  public static RandomGenerator threadLocal() {
    return ThreadLocalSource.INSTANCE;
  }

  /**
   * Returns a thread-safe source seeded with {@code seed}: the same seed gives the same sequence of
   * draws from one thread. Draws are serialized, so prefer {@link #threadLocal()} where
   * reproducibility does not matter.
   */
  public static RandomGenerator seeded(long seed) {
    return new SeededSource(seed);
  }

  private enum ThreadLocalSource implements RandomGenerator {
    INSTANCE;

    @Override
    public long nextLong() {
      return ThreadLocalRandom.current().nextLong();
    }

    @Override
    public int nextInt(int bound) {
      return ThreadLocalRandom.current().nextInt(bound);
    }
  }

  private static final class SeededSource implements RandomGenerator {
    private final SplittableRandom random;

    SeededSource(long seed) {
      this.random = new SplittableRandom(seed);
    }

    @Override
    public synchronized long nextLong() {
      return random.nextLong();
    }

    @Override
    public synchronized int nextInt(int bound) {
      return random.nextInt(bound);
    }
  }
}
