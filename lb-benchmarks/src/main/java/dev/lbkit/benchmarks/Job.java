package dev.lbkit.benchmarks;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One JMH invocation of the report: some methods of one benchmark class, at some sizes, on one or
 * two threads. One thread measures average time (ns/op); more threads measure aggregate throughput
 * (ops/s over all threads).
 *
 * @param benchmark the benchmark class
 * @param methods its benchmark methods to run; either all or none of them take parameter {@code n}
 * @param sizes the values of {@code n} to run; empty for methods without it
 * @param allSizes the values of {@code n} a full run uses, to tell when {@code sizes} is reduced
 * @param threads the number of threads running each benchmark at once
 */
record Job(
    Class<?> benchmark,
    List<String> methods,
    List<String> sizes,
    List<String> allSizes,
    int threads) {

  Job {
    methods = List.copyOf(methods);
    sizes = List.copyOf(sizes);
    allSizes = List.copyOf(allSizes);
  }

  /** A job on {@code threads} threads over the sizes of {@code all} that {@code mode} runs. */
  static Job on(int threads, ReportMode mode, Class<?> benchmark, int[] all, String... methods) {
    return new Job(
        benchmark, List.of(methods), mode.sizes(all), ReportMode.FULL.sizes(all), threads);
  }

  /** Returns the regular expression that selects exactly {@link #methods} for JMH. */
  String includeRegex() {
    return "^" + Pattern.quote(benchmark.getName()) + "\\.(" + String.join("|", methods) + ")$";
  }

  /** Returns how many benchmark runs (one method at one size) the job makes. */
  int runs() {
    return methods.size() * Math.max(1, sizes.size());
  }

  /** Returns whether the job runs fewer sizes than a full run would. */
  boolean isReduced() {
    return !sizes.equals(allSizes);
  }

  /** Returns "RoundRobinBenchmark (next, nextWith30PercentUnhealthy), 2 threads: n = 10, 100". */
  String describe() {
    String what =
        benchmark.getSimpleName()
            + " ("
            + String.join(", ", methods)
            + "), "
            + threads
            + (threads == 1 ? " thread" : " threads");
    return sizes.isEmpty() ? what : what + ": n = " + String.join(", ", sizes);
  }
}
