package dev.lbkit.benchmarks;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Composes the markdown report: what ran where, how to read it, the targets against what this run
 * reached, then one section per hot path with a one-thread and a two-thread table.
 */
final class ReportDocument {

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT);

  /**
   * Everything the report says besides the measurements.
   *
   * @param mode the settings the run used
   * @param date when the run started
   * @param machine where it ran
   * @param jmhVersion the JMH version
   * @param command the command line that produced the report
   * @param elapsed how long the run took
   * @param jobs the JMH invocations, in order
   */
  record RunInfo(
      ReportMode mode,
      ZonedDateTime date,
      Machine machine,
      String jmhVersion,
      String command,
      Duration elapsed,
      List<Job> jobs) {}

  private ReportDocument() {}

  /** Returns the whole report. */
  static String render(
      RunInfo info,
      List<ReportTables.TableSpec> tables,
      List<Targets.Target> targets,
      List<Measurement> all) {
    StringBuilder out = new StringBuilder();
    out.append(title(info));
    out.append(runDetails(info));
    out.append(reducedMatrix(info));
    out.append(howToRead());
    out.append(targets(targets, all));
    for (ReportTables.TableSpec spec : tables) {
      out.append(section(spec, all));
    }
    return out.toString();
  }

  private static String title(RunInfo info) {
    return "# lbkit benchmarks\n\n"
        + "Written by `dev.lbkit.benchmarks.BenchmarkReport` in "
        + info.mode().name().toLowerCase(Locale.ROOT)
        + " mode. Do not edit by hand: run the command below again.\n\n";
  }

  private static String runDetails(RunInfo info) {
    Machine m = info.machine();
    int runs = info.jobs().stream().mapToInt(Job::runs).sum();
    return "- **Date:** "
        + DATE.format(info.date())
        + "\n- **Machine:** "
        + m.cores()
        + (m.cores() == 1 ? " core, " : " cores, ")
        + m.os()
        + ", "
        + m.cpu()
        + "\n- **JDK:** "
        + m.jdk()
        + "\n- **JMH:** "
        + info.jmhVersion()
        + ", "
        + info.mode().describe()
        + ", GC profiler; "
        + runs
        + " benchmark runs in "
        + minutesAndSeconds(info.elapsed())
        + "\n- **Command** (from the repository root): `"
        + info.command()
        + "`\n\n"
        + "To measure again, from the repository root: the quick pass (a few minutes on 2 cores)"
        + " builds the jar and rewrites this file,\n\n```sh\n"
        + BenchmarkReport.QUICK_COMMAND
        + "\n```\n\nand the full pass (three forks, longer iterations) runs on the jar built"
        + " so:\n\n```sh\n"
        + BenchmarkReport.FULL_COMMAND
        + "\n```\n\n";
  }

  private static String reducedMatrix(RunInfo info) {
    List<Job> reduced = info.jobs().stream().filter(Job::isReduced).toList();
    if (reduced.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("## Reduced matrix\n\n");
    if (info.mode() == ReportMode.SMOKE) {
      out.append(
          "A smoke run (100 ms iterations, smallest size only) proves that the report works;"
              + " its numbers mean nothing.\n\n");
    }
    out.append("`--full` runs every size; this run left some out:\n\n");
    for (Job job : reduced) {
      out.append("- ")
          .append(job.describe())
          .append(" (full: n = ")
          .append(String.join(", ", job.allSizes()))
          .append(")\n");
    }
    return out.append('\n').toString();
  }

  private static String howToRead() {
    return "## How to read the tables\n\n"
        + "- One thread: average time per operation in ns, ± JMH's score error (half-width of the"
        + " 99.9% confidence interval; absent when there were too few iterations)."
        + " Two threads: operations per second summed over both threads, in millions.\n"
        + "- B/op: bytes allocated per operation (`"
        + Measurement.ALLOCATION_KEY
        + "`); 0 means nothing allocated on the measured path.\n"
        + "- Ratios divide the row's time per operation by that of a reference measured in the"
        + " same run on the same number of threads (for throughput: the reference's ops/s over the"
        + " row's), so \"2.00×\" means twice the reference's cost. \"÷ ours\" is against lbkit's"
        + " row for the same path at the same n: a peer at \"250×\" costs 250 times ours. The"
        + " speed-up is the row's two-thread ops/s over its one-thread ops/s (2.00× would be"
        + " perfect scaling). On a shared VM absolute numbers vary by 20–50% between runs; the"
        + " ratios vary less. Compare those.\n- Peers are other libraries (or textbook code)"
        + " measured in the same run on the same inputs; the note under each heading says how"
        + " each is set up.\n\n";
  }

  private static String targets(List<Targets.Target> targets, List<Measurement> all) {
    return "## Targets\n\n"
        + "The targets of the issue (a 2-core machine, JDK 17) against this run. \"Reached\" is"
        + " the worst case over the sizes the target covers. Targets guide the work; no test"
        + " asserts a timing.\n\n"
        + Targets.render(targets, all)
        + "\n";
  }

  private static String section(ReportTables.TableSpec spec, List<Measurement> all) {
    String oneThread = ReportTables.table(spec, all, 1);
    String twoThreads = ReportTables.table(spec, all, 2);
    if (oneThread.isEmpty() && twoThreads.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("## " + spec.title() + "\n\n" + spec.note() + "\n\n");
    if (!oneThread.isEmpty()) {
      out.append("One thread, average time per operation:\n\n").append(oneThread).append('\n');
    }
    if (!twoThreads.isEmpty()) {
      out.append("Two threads on one shared instance, operations per second over both:\n\n")
          .append(twoThreads)
          .append('\n');
    }
    return out.toString();
  }

  /** Returns "42 s" or "5 min 3 s". */
  static String minutesAndSeconds(Duration d) {
    return d.toMinutes() == 0
        ? d.toSecondsPart() + " s"
        : d.toMinutes() + " min " + d.toSecondsPart() + " s";
  }
}
