package dev.lbkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

/** The runner's plan and arguments; no JMH run. */
class BenchmarkReportTest {

  @Test
  void everyPlannedMethodIsABenchmarkOfItsClass() throws NoSuchMethodException {
    for (ReportMode mode : ReportMode.values()) {
      for (Job job : BenchmarkReport.plan(mode)) {
        for (String name : job.methods()) {
          Method method = findMethod(job.benchmark(), name);
          assertThat(method.isAnnotationPresent(Benchmark.class)).as(job + " " + name).isTrue();
        }
      }
    }
  }

  @Test
  void everyBenchmarkMethodOfAPlannedClassIsPlanned() {
    List<Job> plan = BenchmarkReport.plan(ReportMode.FULL);
    Set<String> planned = new HashSet<>();
    for (Job job : plan) {
      job.methods().forEach(method -> planned.add(job.benchmark().getSimpleName() + "." + method));
    }

    for (Class<?> type : plan.stream().map(Job::benchmark).distinct().toList()) {
      for (Method method : type.getMethods()) {
        if (method.isAnnotationPresent(Benchmark.class)) {
          assertThat(planned).contains(type.getSimpleName() + "." + method.getName());
        }
      }
    }
  }

  @Test
  void everyHotPathRunsOnOneThreadAndAgainOnTwo() {
    List<Job> plan = BenchmarkReport.plan(ReportMode.FULL);

    for (Job job : plan) {
      if (job.benchmark() != FloorBenchmark.class) {
        assertThat(plan)
            .as(job.describe())
            .anyMatch(
                other ->
                    other.benchmark() == job.benchmark()
                        && other.methods().equals(job.methods())
                        && other.sizes().equals(job.sizes())
                        && other.threads() == 3 - job.threads());
      }
    }
  }

  @Test
  void readmeDocumentsTheQuickAndTheFullCommand() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);

    assertThat(readme).contains(BenchmarkReport.QUICK_COMMAND, BenchmarkReport.FULL_COMMAND);
  }

  @Test
  void includeRegexSelectsOnlyTheJobsMethodsOfItsClass() {
    Job job = Job.on(1, ReportMode.FULL, RoundRobinBenchmark.class, new int[] {3}, "next");
    Pattern include = Pattern.compile(job.includeRegex());

    assertThat(include.matcher("dev.lbkit.benchmarks.RoundRobinBenchmark.next").find()).isTrue();
    assertThat(include.matcher("dev.lbkit.benchmarks.WeightedRoundRobinBenchmark.next").find())
        .isFalse();
    assertThat(
            include
                .matcher("dev.lbkit.benchmarks.RoundRobinBenchmark.nextWith30PercentUnhealthy")
                .find())
        .isFalse();
  }

  @Test
  void smokeRunsOnlyTheSmallestSize() {
    for (Job job : BenchmarkReport.plan(ReportMode.SMOKE)) {
      assertThat(job.sizes()).hasSizeLessThanOrEqualTo(1);
      if (!job.sizes().isEmpty()) {
        assertThat(job.sizes().get(0)).isEqualTo(job.allSizes().get(0));
      }
    }
  }

  @Test
  void fullRunsEverySize() {
    assertThat(BenchmarkReport.plan(ReportMode.FULL)).noneMatch(Job::isReduced);
  }

  @Test
  void quickRunLeavesTimeForTheBuildWithinEightMinutes() {
    int runs = BenchmarkReport.plan(ReportMode.QUICK).stream().mapToInt(Job::runs).sum();

    assertThat(ReportMode.QUICK.estimate(runs)).isLessThan(Duration.ofMinutes(7));
  }

  @Test
  void argumentsDefaultToQuickIntoDocs() {
    BenchmarkReport.Arguments defaults = BenchmarkReport.Arguments.parse();
    BenchmarkReport.Arguments given =
        BenchmarkReport.Arguments.parse("--full", "--out", "/tmp/b.md", "--dry-run");

    assertThat(defaults)
        .isEqualTo(
            new BenchmarkReport.Arguments(ReportMode.QUICK, Path.of("docs/benchmarks.md"), false));
    assertThat(given)
        .isEqualTo(new BenchmarkReport.Arguments(ReportMode.FULL, Path.of("/tmp/b.md"), true));
    assertThatThrownBy(() -> BenchmarkReport.Arguments.parse("--fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("argument: --fast (expected: ");
  }

  private static Method findMethod(Class<?> type, String name) throws NoSuchMethodException {
    for (Method method : type.getMethods()) {
      if (method.getName().equals(name)) {
        return method;
      }
    }
    throw new NoSuchMethodException(type.getName() + "." + name);
  }
}
