package dev.lbkit.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Version;

/**
 * Runs every benchmark of this module through JMH's API and writes the results as a markdown report
 * ({@code docs/benchmarks.md} by default): the targets against what the run reached, then one
 * section per hot path, each row with its cost relative to an in-run floor and to lbkit's own row.
 *
 * <pre>
 * java -cp lb-benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchmarkReport \
 *     [--smoke | --quick | --full] [--out docs/benchmarks.md] [--dry-run]
 * </pre>
 *
 * <p>Every hot path and its peers run twice: on one thread in average-time mode (ns/op), and on two
 * threads sharing one instance in throughput mode (ops/s over both threads); the floors run on one
 * thread, and the atomic and clock floors on two as well. The GC profiler is on throughout, for
 * bytes per operation. The modes ({@link ReportMode}) set forks, iterations and sizes; {@code
 * --dry-run} prints the plan and its estimated length and runs nothing: {@code --quick} (the
 * default) about six minutes on 2 cores, {@code --full} about three quarters of an hour. Run it on
 * a quiet machine: anything else running shows up in the numbers.
 */
public final class BenchmarkReport {

  /**
   * The documented quick pass, from the repository root: builds the jar, runs {@code --quick} and
   * rewrites {@code docs/benchmarks.md}.
   */
  static final String QUICK_COMMAND =
      "mvn -B -q install -DskipTests && mvn -B -q -pl lb-benchmarks package"
          + " && java -cp lb-benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchmarkReport"
          + " --quick";

  /** The documented full pass, on the jar the quick command built. */
  static final String FULL_COMMAND =
      "java -cp lb-benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchmarkReport --full";

  /** The sizes of a benchmark without parameter {@code n}. */
  private static final int[] NO_SIZES = {};

  private static final String USAGE =
      "usage: java -cp lb-benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchmarkReport"
          + " [--smoke | --quick | --full] [--out docs/benchmarks.md] [--dry-run]";

  /**
   * The parsed command line.
   *
   * @param mode how long to measure
   * @param out where to write the report
   * @param dryRun whether to print the plan only
   */
  record Arguments(ReportMode mode, Path out, boolean dryRun) {

    /** Parses the arguments; the defaults are {@code --quick --out docs/benchmarks.md}. */
    static Arguments parse(String... args) {
      ReportMode mode = ReportMode.QUICK;
      Path out = Path.of("docs", "benchmarks.md");
      boolean dryRun = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--out":
            if (i + 1 == args.length) {
              throw new IllegalArgumentException("--out: missing (expected: a file name)");
            }
            out = Path.of(args[++i]);
            break;
          case "--dry-run":
            dryRun = true;
            break;
          default:
            mode = ReportMode.fromFlag(args[i]);
        }
      }
      return new Arguments(mode, out, dryRun);
    }
  }

  private BenchmarkReport() {}

  /** Runs the benchmarks and writes the report; exits with status 2 on a bad argument. */
  public static void main(String[] args) throws IOException, RunnerException {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    List<Job> jobs = plan(arguments.mode());
    printPlan(System.out, arguments.mode(), jobs);
    if (arguments.dryRun()) {
      return;
    }
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    long startNanos = System.nanoTime();
    List<Measurement> measurements = run(jobs, arguments.mode());
    ReportDocument.RunInfo info =
        new ReportDocument.RunInfo(
            arguments.mode(),
            started,
            Machine.current(),
            Version.getPlainVersion(),
            command(args),
            Duration.ofNanos(System.nanoTime() - startNanos),
            jobs);
    write(
        arguments.out(),
        ReportDocument.render(info, ReportTables.standard(), Targets.standard(), measurements));
    System.out.println("Wrote " + arguments.out());
  }

  /**
   * Returns the JMH invocations of a run in {@code mode}, in the order they run: the floors, then
   * every hot path with its peers on one thread, then the two-thread floors and hot paths.
   */
  static List<Job> plan(ReportMode mode) {
    List<Job> jobs = new ArrayList<>();
    jobs.add(
        Job.on(
            1,
            mode,
            FloorBenchmark.class,
            NO_SIZES,
            "atomicGetAndIncrement",
            "longAdderIncrement",
            "nanoTime",
            "threadLocalRandomNextInt",
            "constant"));
    jobs.addAll(hotPaths(mode, 1));
    jobs.add(Job.on(2, mode, FloorBenchmark.class, NO_SIZES, "atomicGetAndIncrement", "nanoTime"));
    jobs.addAll(hotPaths(mode, 2));
    return List.copyOf(jobs);
  }

  /** Every hot path with its peers, on {@code threads} threads. */
  private static List<Job> hotPaths(ReportMode mode, int threads) {
    return List.of(
        Job.on(
            threads,
            mode,
            RoundRobinBenchmark.class,
            new int[] {3, 10, 100},
            "next",
            "nextWith30PercentUnhealthy",
            "dubboRoundRobin"),
        Job.on(
            threads,
            mode,
            WeightedRoundRobinBenchmark.class,
            new int[] {10, 100, 1000},
            "next",
            "nginxBaseline",
            "dubboRoundRobin"),
        Job.on(
            threads,
            mode,
            LeastConnectionsBenchmark.class,
            new int[] {10, 100},
            "next",
            "nextConnectDisconnect",
            "powerOfTwoChoices",
            "dubboLeastActive"),
        Job.on(
            threads,
            mode,
            ConsistentHashBenchmark.class,
            new int[] {10, 100, 1000},
            "getNode",
            "dubboConsistentHash",
            "guavaConsistentHash",
            "hash4jJumpBackHash"),
        Job.on(
            threads,
            mode,
            ConsistentHashBenchmark.class,
            NO_SIZES,
            "keyHash",
            "hash4jXxh3",
            "addThenRemoveNode"),
        Job.on(
            threads,
            mode,
            RateLimiterBenchmark.class,
            NO_SIZES,
            "tokenBucketTryAcquire",
            "guavaTryAcquire",
            "bucket4jTryConsume",
            "resilience4jAcquirePermission"),
        Job.on(
            threads,
            mode,
            FacadeBenchmark.class,
            NO_SIZES,
            "routePlain",
            "routeRateLimited",
            "routeStickyIp",
            "routeConsistentHash"));
  }

  /** Returns JMH's options for one job: the mode's iterations, the job's threads and sizes. */
  static Options options(Job job, ReportMode mode) {
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(job.includeRegex())
            .forks(mode.forks)
            .warmupIterations(mode.warmupIterations)
            .warmupTime(mode.warmupTime())
            .measurementIterations(mode.measurementIterations)
            .measurementTime(mode.measurementTime())
            .threads(job.threads())
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true);
    if (job.threads() == 1) {
      options.mode(Mode.AverageTime).timeUnit(TimeUnit.NANOSECONDS);
    } else {
      options.mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS);
    }
    if (!job.sizes().isEmpty()) {
      options.param("n", job.sizes().toArray(new String[0]));
    }
    return options.build();
  }

  private static List<Measurement> run(List<Job> jobs, ReportMode mode) throws RunnerException {
    List<Measurement> measurements = new ArrayList<>();
    for (Job job : jobs) {
      for (RunResult result : new Runner(options(job, mode)).run()) {
        measurements.add(Measurement.from(result));
      }
    }
    return measurements;
  }

  private static void printPlan(PrintStream out, ReportMode mode, List<Job> jobs) {
    int runs = jobs.stream().mapToInt(Job::runs).sum();
    out.println("Benchmark report, " + mode.flag + ": " + mode.describe());
    for (Job job : jobs) {
      out.println("  " + job.describe());
    }
    out.println(
        runs
            + " benchmark runs, about "
            + ReportDocument.minutesAndSeconds(mode.estimate(runs))
            + " (estimated)");
  }

  /** Returns the command line that started this JVM, as one would type it. */
  private static String command(String[] args) {
    List<String> words = new ArrayList<>();
    words.add("java");
    words.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    words.add("-cp");
    words.add(System.getProperty("java.class.path"));
    words.add(BenchmarkReport.class.getName());
    words.addAll(List.of(args));
    return String.join(" ", words);
  }

  private static void write(Path file, String report) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, report, StandardCharsets.UTF_8);
  }
}
