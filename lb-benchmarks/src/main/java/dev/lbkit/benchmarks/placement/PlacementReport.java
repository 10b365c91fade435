package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.Fixtures;
import dev.lbkit.benchmarks.Machine;
import dev.lbkit.benchmarks.placement.Candidate.Part;
import dev.lbkit.benchmarks.placement.HashingDocument.RunInfo;
import dev.lbkit.benchmarks.placement.MarkedRegions.Region;
import dev.lbkit.benchmarks.placement.QualityAnalysis.Row;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Measures every candidate of {@link Candidates} and writes the tables into {@code
 * docs/hashing.md}, between markers, keeping the prose around them.
 *
 * <pre>
 * java -cp lb-benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.placement.PlacementReport \
 *     [--tiny | --quick | --full] [--keys N] [--out docs/hashing.md] [--label TEXT] [--dry-run]
 * </pre>
 *
 * <p>First it counts: each candidate at n = 10, 100 and 1,000 places 10^6 seeded random keys, then
 * loses and gains a node ({@link QualityAnalysis}). Then JMH measures lookups and, for placements
 * with state, building and changing them ({@link CostPlan}). {@code --quick} (the default) takes a
 * few minutes on 2 cores, {@code --full} about half an hour; {@code --tiny} counts 20,000 keys and
 * runs no JMH, in seconds; {@code --dry-run} prints the plan and runs nothing. {@code --label} puts
 * a note at the top of the run's details, such as "preliminary (shared machine)".
 */
public final class PlacementReport {

  private static final String USAGE =
      "usage: java -cp lb-benchmarks/target/benchmarks.jar"
          + " dev.lbkit.benchmarks.placement.PlacementReport"
          + " [--tiny | --quick | --full] [--keys N] [--out docs/hashing.md] [--label TEXT]"
          + " [--dry-run]";

  /**
   * The parsed command line.
   *
   * @param effort how much to measure
   * @param keys how many keys to count
   * @param out the document to update
   * @param label a note on the run; empty for none
   * @param dryRun whether to print the plan only
   */
  record Arguments(Effort effort, int keys, Path out, String label, boolean dryRun) {

    /** Parses the arguments; the defaults are {@code --quick --out docs/hashing.md}. */
    static Arguments parse(String... args) {
      Effort effort = Effort.QUICK;
      int keys = -1;
      Path out = Path.of("docs", "hashing.md");
      String label = "";
      boolean dryRun = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--keys":
            keys = parseKeys(value(args, i++, "a number of keys"));
            break;
          case "--out":
            out = Path.of(value(args, i++, "a file name"));
            break;
          case "--label":
            label = value(args, i++, "a note on the run");
            break;
          case "--dry-run":
            dryRun = true;
            break;
          default:
            effort = Effort.fromFlag(args[i]);
        }
      }
      return new Arguments(effort, keys < 0 ? effort.keys() : keys, out, label, dryRun);
    }

    private static String value(String[] args, int i, String expected) {
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(args[i] + ": missing (expected: " + expected + ")");
      }
      return args[i + 1];
    }

    private static int parseKeys(String text) {
      int keys;
      try {
        keys = Integer.parseInt(text.replace("_", ""));
      } catch (NumberFormatException e) {
        keys = 0;
      }
      if (keys < 1_000) {
        throw new IllegalArgumentException("--keys: " + text + " (expected: at least 1000)");
      }
      return keys;
    }
  }

  private PlacementReport() {}

  /** Runs the report; exits with status 2 on a bad argument. */
  public static void main(String[] args) throws IOException, RunnerException {
    Arguments arguments = parseOrExit(args);
    String command =
        ProcessHandle.current()
            .info()
            .arguments()
            .map(words -> "java " + shellWords(words))
            .orElse(PlacementReport.class.getName() + " " + shellWords(args));
    run(arguments, command, System.out);
  }

  /** Joins {@code words} as a POSIX shell would need them: quoted where they hold spaces. */
  static String shellWords(String... words) {
    List<String> quoted = new ArrayList<>();
    for (String word : words) {
      quoted.add(
          word.matches("[A-Za-z0-9_./:=,+@%-]+") ? word : "'" + word.replace("'", "'\\''") + "'");
    }
    return String.join(" ", quoted);
  }

  private static Arguments parseOrExit(String[] args) {
    try {
      return Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + System.lineSeparator() + USAGE);
      System.exit(2);
      throw e; // not reached
    }
  }

  /**
   * Runs the report as {@code arguments} say, logging progress to {@code log}, and updates the
   * document (unless it is a dry run).
   */
  static void run(Arguments arguments, String command, PrintStream log)
      throws IOException, RunnerException {
    Optional<Effort.Jmh> jmh = arguments.effort().jmh();
    List<CostPlan.Job> jobs = jmh.isPresent() ? CostPlan.jobs(Candidates.ALL) : List.of();
    int runs = CostPlan.runs(jobs);
    log.printf(
        "Placement report, %s: %s keys, JMH %s%n",
        arguments.effort().flag(),
        Format.count(arguments.keys()),
        jmh.map(Effort.Jmh::describe).orElse("not run"));
    jobs.forEach(job -> log.println("  " + job.describe()));
    log.printf(
        "%d JMH runs, about %s (estimated), after counting keys (one to four minutes)%n",
        runs, Format.elapsed(jmh.map(j -> j.estimate(runs)).orElse(Duration.ZERO)));
    if (arguments.dryRun()) {
      return;
    }
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    long start = System.nanoTime();
    List<Row> rows = count(Fixtures.randomKeys(arguments.keys(), 16, Fixtures.SEED), log);
    long counted = System.nanoTime();
    List<Cost> costs = jmh.isPresent() ? CostPlan.run(jobs, jmh.get(), log::println) : List.of();
    RunInfo info =
        new RunInfo(
            arguments,
            command,
            started,
            Machine.current(),
            runs,
            Duration.ofNanos(counted - start),
            Duration.ofNanos(System.nanoTime() - counted));
    Path out = arguments.out();
    String document =
        Files.exists(out)
            ? Files.readString(out, StandardCharsets.UTF_8)
            : HashingDocument.SKELETON;
    List<Region> regions = HashingDocument.regions(info, Candidates.ALL, new Results(costs, rows));
    Files.createDirectories(out.toAbsolutePath().normalize().getParent());
    Files.writeString(out, MarkedRegions.update(document, regions), StandardCharsets.UTF_8);
    log.println("Wrote " + out);
  }

  /** Measures the balance and disruption of every candidate at its sizes over {@code keys}. */
  static List<Row> count(String[] keys, PrintStream log) {
    List<Row> rows = new ArrayList<>();
    for (Candidate c : Candidates.ALL) {
      for (int n : c.sizes()) {
        if (c.measures(Part.QUALITY, n)) {
          long start = System.nanoTime();
          rows.add(QualityAnalysis.analyse(c, n, keys));
          log.printf(
              "  counted %s at n=%d in %d ms%n",
              c.id(), n, Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
      }
    }
    return rows;
  }
}
