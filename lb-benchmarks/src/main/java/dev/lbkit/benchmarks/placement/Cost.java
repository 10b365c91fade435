package dev.lbkit.benchmarks.placement;

import java.util.Objects;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One JMH result of the report, detached from JMH's types so tables can be rendered (and tested)
 * from hand-made values.
 *
 * @param placement the candidate's id; empty for {@code keyHash}, which has none
 * @param operation the benchmark method: {@code lookup}, {@code keyHash}, {@code build}, {@code
 *     addOne} or {@code removeOne}
 * @param n the node count; 0 for {@code keyHash}
 * @param nanos average nanoseconds per operation
 * @param error JMH's score error (half-width of the 99.9% confidence interval); NaN when there were
 *     too few iterations
 * @param bytes bytes allocated per operation ({@code gc.alloc.rate.norm}); NaN if not measured
 */
record Cost(String placement, String operation, int n, double nanos, double error, double bytes) {

  /** The GC profiler's bytes allocated per operation. */
  static final String ALLOCATION = "gc.alloc.rate.norm";

  Cost {
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(operation, "operation");
  }

  /** Converts a JMH average-time result in ns/op. */
  static Cost from(RunResult run) {
    BenchmarkParams params = run.getParams();
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    String placement = params.getParam("placement");
    String n = params.getParam("n");
    Result<?> time = run.getPrimaryResult();
    if (!time.getScoreUnit().equals("ns/op")) {
      throw new IllegalStateException("score unit: " + time.getScoreUnit() + " (expected: ns/op)");
    }
    Result<?> allocation = run.getSecondaryResults().get(ALLOCATION);
    return new Cost(
        placement == null ? "" : placement,
        method,
        n == null ? 0 : Integer.parseInt(n),
        time.getScore(),
        time.getScoreError(),
        allocation == null ? Double.NaN : allocation.getScore());
  }

  /** Returns whether this is {@code operation} of {@code placement} at {@code n}. */
  boolean is(String placement, String operation, int n) {
    return this.placement.equals(placement) && this.operation.equals(operation) && this.n == n;
  }
}
