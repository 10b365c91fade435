package dev.lbkit.benchmarks;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One benchmark's result as the report needs it, detached from JMH's result types so that tables
 * can be rendered (and tested) from hand-made values.
 *
 * @param benchmark the class's simple name and the method: {@code RoundRobinBenchmark.next}
 * @param params the benchmark's parameters, sorted by name: {@code {n=10}}
 * @param threads how many threads ran the benchmark at once
 * @param mode {@link Mode#AverageTime} (score in ns/op) or {@link Mode#Throughput} (score in ops/s,
 *     summed over the threads)
 * @param score the score in that unit
 * @param error JMH's score error (half-width of the 99.9% confidence interval); NaN when there were
 *     too few iterations to compute it
 * @param bytesPerOp bytes allocated per operation ({@code gc.alloc.rate.norm}); NaN if not measured
 */
record Measurement(
    String benchmark,
    Map<String, String> params,
    int threads,
    Mode mode,
    double score,
    double error,
    double bytesPerOp) {

  /** The secondary result of JMH's GC profiler that gives bytes allocated per operation. */
  static final String ALLOCATION_KEY = "gc.alloc.rate.norm";

  Measurement {
    Objects.requireNonNull(benchmark, "benchmark");
    params = Collections.unmodifiableMap(new TreeMap<>(params));
    if (mode != Mode.AverageTime && mode != Mode.Throughput) {
      throw new IllegalArgumentException(
          "mode: " + mode + " (expected: AverageTime or Throughput)");
    }
  }

  /** Converts a JMH result; the run must report ns/op (average time) or ops/s (throughput). */
  static Measurement from(RunResult run) {
    BenchmarkParams p = run.getParams();
    Map<String, String> params = new TreeMap<>();
    for (String key : p.getParamsKeys()) {
      params.put(key, p.getParam(key));
    }
    Result<?> primary = run.getPrimaryResult();
    checkUnit(p.getMode(), primary.getScoreUnit());
    Result<?> allocation = run.getSecondaryResults().get(ALLOCATION_KEY);
    return new Measurement(
        shortName(p.getBenchmark()),
        params,
        p.getThreads(),
        p.getMode(),
        primary.getScore(),
        primary.getScoreError(),
        allocation == null ? Double.NaN : allocation.getScore());
  }

  /** Returns the wall-clock nanoseconds per operation: all threads together for throughput. */
  double nanosPerOp() {
    return mode == Mode.AverageTime ? score : 1e9 / score;
  }

  /** Returns the value of parameter {@code n}, or -1 if the benchmark has none. */
  long size() {
    String n = params.get("n");
    return n == null ? -1 : Long.parseLong(n);
  }

  /** Returns whether both have the same benchmark, parameters and thread count. */
  boolean sameRunAs(Measurement other) {
    return benchmark.equals(other.benchmark)
        && params.equals(other.params)
        && threads == other.threads;
  }

  /**
   * {@code dev.lbkit.benchmarks.RoundRobinBenchmark.next} becomes {@code RoundRobinBenchmark.next}.
   */
  static String shortName(String fullName) {
    int method = fullName.lastIndexOf('.');
    int type = fullName.lastIndexOf('.', method - 1);
    return fullName.substring(type + 1);
  }

  private static void checkUnit(Mode mode, String unit) {
    String expected = mode == Mode.AverageTime ? "ns/op" : "ops/s";
    if (!unit.equals(expected)) {
      throw new IllegalStateException(
          "score unit: " + unit + " (expected: " + expected + " for " + mode + ")");
    }
  }
}
