package dev.lbkit.benchmarks.placement;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How much the placement report measures: how many keys, and how long JMH runs, if at all.
 *
 * @param flag the command-line flag that selects it
 * @param keys how many keys it counts
 * @param settings JMH's settings; null if it runs no JMH
 */
record Effort(String flag, int keys, @Nullable Jmh settings) {

  /** 20,000 keys and no JMH: proves the report works end to end in seconds; no costs. */
  static final Effort TINY = new Effort("--tiny", 20_000, null);

  /** 10^6 keys; JMH with one fork and short iterations: a few minutes on 2 cores. */
  static final Effort QUICK =
      new Effort(
          "--quick", 1_000_000, new Jmh(1, 2, Duration.ofMillis(500), 3, Duration.ofMillis(500)));

  /** 10^6 keys; JMH with two forks and one-second iterations: the published numbers. */
  static final Effort FULL =
      new Effort(
          "--full", 1_000_000, new Jmh(2, 3, Duration.ofSeconds(1), 5, Duration.ofSeconds(1)));

  /**
   * JMH's settings.
   *
   * @param forks JVMs per benchmark run
   * @param warmups warm-up iterations per fork
   * @param warmup the length of each
   * @param measurements measured iterations per fork
   * @param measurement the length of each
   */
  record Jmh(int forks, int warmups, Duration warmup, int measurements, Duration measurement) {

    /** A guess at each fork's time outside its iterations, to estimate a run's length. */
    private static final Duration FORK_OVERHEAD = Duration.ofMillis(900);

    /** Returns the expected wall-clock time of {@code runs} benchmark runs. */
    Duration estimate(int runs) {
      Duration fork = warmup.multipliedBy(warmups).plus(measurement.multipliedBy(measurements));
      return fork.plus(FORK_OVERHEAD).multipliedBy((long) forks * runs);
    }

    /** Returns "1 fork, warm-up 2 × 500 ms, measurement 3 × 500 ms". */
    String describe() {
      return forks
          + (forks == 1 ? " fork" : " forks")
          + ", warm-up "
          + iterations(warmups, warmup)
          + ", measurement "
          + iterations(measurements, measurement);
    }

    private static String iterations(int count, Duration each) {
      return count + " × " + each.toMillis() + " ms";
    }
  }

  /** Returns JMH's settings, or empty if this effort runs no JMH. */
  Optional<Jmh> jmh() {
    return Optional.ofNullable(settings);
  }

  /** Returns the effort selected by {@code flag}, such as {@code --quick}. */
  static Effort fromFlag(String flag) {
    for (Effort effort : List.of(TINY, QUICK, FULL)) {
      if (effort.flag.equals(flag)) {
        return effort;
      }
    }
    throw new IllegalArgumentException(
        "argument: "
            + flag
            + " (expected: --tiny, --quick, --full, --keys N, --out FILE, --label TEXT or"
            + " --dry-run)");
  }
}
