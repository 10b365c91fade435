package dev.lbkit.benchmarks.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Benchmark;

/** The report end to end without JMH ({@code --tiny}), its plan and its arguments. */
class PlacementReportTest {

  @TempDir Path dir;

  @Test
  void aTinyRunFillsEveryRegionAndKeepsTheProse() throws Exception {
    Path doc = dir.resolve("hashing.md");
    Files.writeString(
        doc,
        "# Mine\n\nHand-written guide.\n\n"
            + "<!-- placement-report:begin quality -->\nstale\n<!-- placement-report:end quality -->\n"
            + "\nMore prose.\n");

    String log = run("--tiny", "--out", doc.toString(), "--label", "preliminary (shared machine)");

    String written = Files.readString(doc);
    assertThat(written)
        .startsWith("# Mine\n\nHand-written guide.\n\n<!-- placement-report:begin quality -->")
        .contains("\nMore prose.\n")
        .doesNotContain("stale")
        .contains("**preliminary (shared machine)**")
        .contains("`--tiny`; JMH", "20,000 random 16-character strings")
        .contains("(fewer than the report's 1,000,000: more sampling noise)");
    for (String region : List.of("run", "targets", "lookup", "changes", "quality")) {
      assertThat(written).contains("<!-- placement-report:end " + region + " -->");
    }
    for (Candidate c : Candidates.ALL) {
      assertThat(written).contains("| " + c.label());
    }
    assertThat(written).contains("| Maglev, 655,373 slots", "| 1,000 |");
    assertThat(written.replaceAll(" +", " "))
        .contains("| Memento jump | 10 |", "| Memento jump, a random 10% of n removed | 1,000 |")
        .doesNotContain("pending");
    assertThat(log)
        .contains("counted ring at n=1000", "counted memento-removed at n=1000", "Wrote " + doc);
  }

  @Test
  void aDryRunPrintsThePlanAndWritesNothing() throws Exception {
    Path doc = dir.resolve("none.md");

    String log = run("--quick", "--dry-run", "--out", doc.toString());

    assertThat(doc).doesNotExist();
    assertThat(log)
        .contains("PlacementLookupBenchmark.lookup, ring: n = 10, 100, 1000")
        .contains("PlacementChangeBenchmark.build/addOne/removeOne, maglev-655373: n = 1000")
        .contains("PlacementChangeBenchmark.build/addOne/removeOne, memento: n = 10, 100, 1000")
        .contains("PlacementLookupBenchmark.lookup, memento-removed: n = 1000");
  }

  @Test
  void everyPlannedMethodIsABenchmarkAndEveryPlacementExists() {
    for (CostPlan.Job job : CostPlan.jobs(Candidates.ALL)) {
      Set<String> benchmarks = new HashSet<>();
      for (Method m : job.benchmark().getMethods()) {
        if (m.isAnnotationPresent(Benchmark.class)) {
          benchmarks.add(m.getName());
        }
      }
      assertThat(benchmarks).as(job.describe()).containsAll(job.methods());
      if (!job.placement().isEmpty()) {
        assertThat(Candidates.byId(job.placement()).id()).isEqualTo(job.placement());
      }
    }
  }

  @Test
  void theQuickJmhRunFitsInFiveMinutes() {
    int runs = CostPlan.runs(CostPlan.jobs(Candidates.ALL));

    assertThat(Effort.QUICK.jmh().orElseThrow().estimate(runs).toMinutes()).isLessThan(5);
  }

  @Test
  void candidateIdsAreUniqueAndUnknownOnesRejected() {
    List<String> ids = Candidates.ALL.stream().map(Candidate::id).toList();

    assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
    assertThatThrownBy(() -> Candidates.byId("karger"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("placement: karger (expected: one of [ring, maglev, ");
  }

  @Test
  void argumentsDefaultToQuickIntoDocs() {
    assertThat(PlacementReport.Arguments.parse())
        .isEqualTo(
            new PlacementReport.Arguments(
                Effort.QUICK, 1_000_000, Path.of("docs/hashing.md"), "", false));
    assertThat(PlacementReport.Arguments.parse("--full", "--keys", "100_000", "--dry-run"))
        .isEqualTo(
            new PlacementReport.Arguments(
                Effort.FULL, 100_000, Path.of("docs/hashing.md"), "", true));
    assertThatThrownBy(() -> PlacementReport.Arguments.parse("--fast"))
        .hasMessageStartingWith("argument: --fast (expected: --tiny, --quick, ");
    assertThatThrownBy(() -> PlacementReport.Arguments.parse("--keys", "ten"))
        .hasMessage("--keys: ten (expected: at least 1000)");
    assertThatThrownBy(() -> PlacementReport.Arguments.parse("--out"))
        .hasMessage("--out: missing (expected: a file name)");
  }

  @Test
  void theCommandIsWrittenAsAShellNeedsIt() {
    assertThat(
            PlacementReport.shellWords(
                "-cp",
                "lb-benchmarks/target/benchmarks.jar",
                "--label",
                "preliminary (shared)",
                "it's"))
        .isEqualTo(
            "-cp lb-benchmarks/target/benchmarks.jar --label 'preliminary (shared)' 'it'\\''s'");
  }

  private static String run(String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      PlacementReport.run(
          PlacementReport.Arguments.parse(args), "java ... " + Arrays.toString(args), log);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
