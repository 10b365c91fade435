package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.Machine;
import dev.lbkit.benchmarks.placement.MarkedRegions.Region;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.util.Version;

/** The generated regions of {@code docs/hashing.md}. */
final class HashingDocument {

  /** What a new document starts with; everything outside the markers is the author's to write. */
  static final String SKELETON =
      "# Placements side by side\n\n"
          + "Written by `dev.lbkit.benchmarks.placement.PlacementReport` between the"
          + " `placement-report` markers; text outside them is kept on every run.\n";

  /**
   * What the report says about its run besides the measurements.
   *
   * @param arguments what was asked for
   * @param command the command line, as one would type it
   * @param date when the run started
   * @param machine where it ran
   * @param jmhRuns how many JMH benchmark runs it made
   * @param counting how long counting keys took
   * @param measuring how long JMH took
   */
  record RunInfo(
      PlacementReport.Arguments arguments,
      String command,
      ZonedDateTime date,
      Machine machine,
      int jmhRuns,
      Duration counting,
      Duration measuring) {}

  private HashingDocument() {}

  /** Returns the regions of the document, in the order a new document gets them. */
  static List<Region> regions(RunInfo info, List<Candidate> candidates, Results results) {
    int keys = info.arguments().keys();
    return List.of(
        new Region("run", "The run", run(info)),
        new Region("targets", "Targets of issue 8", Targets.table(results)),
        new Region("lookup", "Lookup cost", PlacementTables.lookup(candidates, results)),
        new Region(
            "changes", "Build and change cost", PlacementTables.changes(candidates, results)),
        new Region(
            "quality",
            "Balance and disruption",
            "Over "
                + Format.count(keys)
                + " keys"
                + fewerKeys(keys)
                + ".\n\n"
                + PlacementTables.quality(results)));
  }

  private static String run(RunInfo info) {
    PlacementReport.Arguments a = info.arguments();
    String jmh =
        a.effort()
            .jmh()
            .map(
                j ->
                    j.describe()
                        + ", one thread, average time, GC profiler; "
                        + info.jmhRuns()
                        + " benchmark runs in "
                        + Format.elapsed(info.measuring()))
            .orElse("not run: the cost tables are empty");
    String label = a.label().isEmpty() ? "" : "**" + a.label() + "**\n\n";
    return label
        + "- **Date:** "
        + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).format(info.date())
        + "\n- **Machine:** "
        + info.machine().summary()
        + "\n- **JDK:** "
        + info.machine().jdk()
        + "\n- **Mode:** `"
        + a.effort().flag()
        + "`; JMH "
        + Version.getPlainVersion()
        + ": "
        + jmh
        + "\n- **Keys:** "
        + Format.count(a.keys())
        + " random 16-character strings (seeded), counted in "
        + Format.elapsed(info.counting())
        + fewerKeys(a.keys())
        + "\n- **Command** (from the repository root): `"
        + info.command()
        + "`\n";
  }

  private static String fewerKeys(int keys) {
    return keys < Effort.FULL.keys()
        ? " (fewer than the report's " + Format.count(Effort.FULL.keys()) + ": more sampling noise)"
        : "";
  }
}
