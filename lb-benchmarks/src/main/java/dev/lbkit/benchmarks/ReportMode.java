package dev.lbkit.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.runner.options.TimeValue;

/** How long and how often {@link BenchmarkReport} measures, and which sizes it runs. */
enum ReportMode {

  /** Proves the report works end to end; the numbers mean nothing. Smallest size only. */
  SMOKE("--smoke", 1, 1, Duration.ofMillis(100), 1, Duration.ofMillis(100)),

  /**
   * Every size, one fork, short iterations: about six minutes on 2 cores. Five measurement
   * iterations of 400 ms rather than three of a second: the same time, and a score error (whose
   * Student t factor is 8.6 at five iterations, 31.6 at three) that means something.
   */
  QUICK("--quick", 1, 2, Duration.ofMillis(400), 5, Duration.ofMillis(400)),

  /** The published numbers: every size, three forks of one-second iterations. */
  FULL("--full", 3, 3, Duration.ofSeconds(1), 5, Duration.ofSeconds(1));

  /**
   * A guess at the time each fork spends outside warm-up and measurement (JVM start, state setup,
   * JMH's own bookkeeping), used only to estimate a run's length.
   */
  private static final Duration FORK_OVERHEAD = Duration.ofMillis(700);

  final String flag;
  final int forks;
  final int warmupIterations;
  private final Duration warmupTime;
  final int measurementIterations;
  private final Duration measurementTime;

  ReportMode(
      String flag,
      int forks,
      int warmupIterations,
      Duration warmupTime,
      int measurementIterations,
      Duration measurementTime) {
    this.flag = flag;
    this.forks = forks;
    this.warmupIterations = warmupIterations;
    this.warmupTime = warmupTime;
    this.measurementIterations = measurementIterations;
    this.measurementTime = measurementTime;
  }

  /** Returns the mode selected by {@code flag}, such as {@code --quick}. */
  static ReportMode fromFlag(String flag) {
    for (ReportMode mode : values()) {
      if (mode.flag.equals(flag)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "argument: " + flag + " (expected: --smoke, --quick, --full, --out FILE or --dry-run)");
  }

  /** Returns the sizes to run: the smallest of {@code all} in smoke mode, otherwise all. */
  List<String> sizes(int... all) {
    int[] run = this == SMOKE && all.length > 0 ? Arrays.copyOf(all, 1) : all;
    return Arrays.stream(run).mapToObj(Integer::toString).toList();
  }

  /** Returns "1 fork, 2 × 400 ms warm-up, 5 × 400 ms measurement". */
  String describe() {
    return String.format(
        Locale.ROOT,
        "%d fork%s, %d × %s warm-up, %d × %s measurement",
        forks,
        forks == 1 ? "" : "s",
        warmupIterations,
        text(warmupTime),
        measurementIterations,
        text(measurementTime));
  }

  /**
   * Returns the expected wall-clock time of {@code runs} benchmark runs (one parameter set each).
   */
  Duration estimate(int runs) {
    Duration perFork =
        warmupTime
            .multipliedBy(warmupIterations)
            .plus(measurementTime.multipliedBy(measurementIterations))
            .plus(FORK_OVERHEAD);
    return perFork.multipliedBy((long) forks * runs);
  }

  /** Returns the length of one warm-up iteration, for JMH. */
  TimeValue warmupTime() {
    return TimeValue.milliseconds(warmupTime.toMillis());
  }

  /** Returns the length of one measurement iteration, for JMH. */
  TimeValue measurementTime() {
    return TimeValue.milliseconds(measurementTime.toMillis());
  }

  /** Returns "1 s" or "100 ms". */
  private static String text(Duration d) {
    return d.toMillisPart() == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
