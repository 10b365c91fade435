package dev.lbkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The whole report composed from hand-made measurements of a full plan; no JMH run. */
class ReportDocumentTest {

  private static final ReportDocument.RunInfo INFO =
      new ReportDocument.RunInfo(
          ReportMode.QUICK,
          ZonedDateTime.of(2026, 11, 23, 12, 0, 0, 0, ZoneOffset.UTC),
          new Machine(2, "Linux amd64", "AMD EPYC", "OpenJDK 64-Bit Server VM 17.0.15"),
          "1.37",
          "java -cp benchmarks.jar dev.lbkit.benchmarks.BenchmarkReport --quick",
          Duration.ofSeconds(363),
          BenchmarkReport.plan(ReportMode.QUICK));

  private final String report =
      ReportDocument.render(
          INFO,
          ReportTables.standard(),
          Targets.standard(),
          PlannedRun.of(ReportMode.QUICK, name -> 10));

  @Test
  void saysWhereWhenAndHowItRan() {
    assertThat(report)
        .contains("- **Date:** 2026-11-23 12:00 UTC")
        .contains("- **Machine:** 2 cores, Linux amd64, AMD EPYC")
        .contains("- **JDK:** OpenJDK 64-Bit Server VM 17.0.15")
        .contains(
            "2 × 400 ms warm-up, 5 × 400 ms measurement, GC profiler; 105 benchmark runs in 6 min 3 s")
        .contains(BenchmarkReport.QUICK_COMMAND)
        .contains(BenchmarkReport.FULL_COMMAND);
  }

  @Test
  void putsTheTargetsFirstThenEachHotPathOnOneAndTwoThreads() {
    int targets = report.indexOf("## Targets");
    int roundRobin = report.indexOf("## RoundRobin.next()");

    assertThat(targets).isPositive().isLessThan(roundRobin);
    assertThat(report.substring(roundRobin, report.indexOf("## WeightedRoundRobin.next()")))
        .contains("One thread, average time per operation:")
        .contains("Two threads on one shared instance, operations per second over both:")
        .contains("`RoundRobinBenchmark.dubboRoundRobin`");
    for (ReportTables.TableSpec spec : ReportTables.standard()) {
      assertThat(report).contains("## " + spec.title() + "\n\n" + spec.note() + "\n\n");
    }
  }
}
