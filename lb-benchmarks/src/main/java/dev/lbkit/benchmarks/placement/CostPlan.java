package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.placement.Candidate.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** The JMH side of the report: which benchmarks run for which candidates, and running them. */
final class CostPlan {

  /**
   * One JMH invocation: some methods of one benchmark class for one candidate at some sizes.
   *
   * @param benchmark the benchmark class
   * @param methods its methods to run
   * @param placement the candidate's id; empty for a benchmark without one ({@code keyHash})
   * @param sizes the node counts; empty for a benchmark without one
   */
  record Job(Class<?> benchmark, List<String> methods, String placement, List<Integer> sizes) {

    Job {
      Objects.requireNonNull(benchmark, "benchmark");
      methods = List.copyOf(methods);
      Objects.requireNonNull(placement, "placement");
      sizes = List.copyOf(sizes);
    }

    /** Returns how many benchmark runs (one method at one size) the job makes. */
    int runs() {
      return methods.size() * Math.max(1, sizes.size());
    }

    /** Returns the regular expression that selects exactly {@link #methods} for JMH. */
    String includeRegex() {
      return "^" + Pattern.quote(benchmark.getName()) + "\\.(" + String.join("|", methods) + ")$";
    }

    /** Returns "PlacementLookupBenchmark.lookup, ring: n = 10, 100, 1000". */
    String describe() {
      String what = benchmark.getSimpleName() + "." + String.join("/", methods);
      return placement.isEmpty() ? what : what + ", " + placement + ": n = " + sizesText();
    }

    private String sizesText() {
      return String.join(", ", sizes.stream().map(String::valueOf).toList());
    }
  }

  private CostPlan() {}

  /** Returns the JMH invocations of the report, in the order they run. */
  static List<Job> jobs(List<Candidate> candidates) {
    List<Job> jobs = new ArrayList<>();
    jobs.add(new Job(PlacementLookupBenchmark.class, List.of("keyHash"), "", List.of()));
    for (Candidate c : candidates) {
      addIfMeasured(jobs, c, Part.LOOKUP, PlacementLookupBenchmark.class, "lookup");
    }
    for (Candidate c : candidates) {
      addIfMeasured(
          jobs, c, Part.CHANGES, PlacementChangeBenchmark.class, "build", "addOne", "removeOne");
    }
    return jobs;
  }

  private static void addIfMeasured(
      List<Job> jobs, Candidate c, Part part, Class<?> benchmark, String... methods) {
    List<Integer> sizes = Candidates.SIZES.stream().filter(n -> c.measures(part, n)).toList();
    if (!sizes.isEmpty()) {
      jobs.add(new Job(benchmark, List.of(methods), c.id(), sizes));
    }
  }

  /** Returns the number of benchmark runs of {@code jobs}. */
  static int runs(List<Job> jobs) {
    return jobs.stream().mapToInt(Job::runs).sum();
  }

  /** Returns JMH's options for one job. */
  static Options options(Job job, Effort.Jmh jmh) {
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(job.includeRegex())
            .mode(Mode.AverageTime)
            .timeUnit(TimeUnit.NANOSECONDS)
            .threads(1)
            .forks(jmh.forks())
            .warmupIterations(jmh.warmups())
            .warmupTime(TimeValue.milliseconds(jmh.warmup().toMillis()))
            .measurementIterations(jmh.measurements())
            .measurementTime(TimeValue.milliseconds(jmh.measurement().toMillis()))
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true);
    if (!job.placement().isEmpty()) {
      options
          .param("placement", job.placement())
          .param("n", job.sizes().stream().map(String::valueOf).toArray(String[]::new));
    }
    return options.build();
  }

  /** Runs {@code jobs}, telling {@code progress} about each before it starts. */
  static List<Cost> run(List<Job> jobs, Effort.Jmh jmh, Consumer<String> progress)
      throws RunnerException {
    List<Cost> costs = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      Job job = jobs.get(i);
      progress.accept("JMH " + (i + 1) + "/" + jobs.size() + ": " + job.describe());
      for (RunResult result : new Runner(options(job, jmh)).run()) {
        costs.add(Cost.from(result));
      }
    }
    return costs;
  }
}
