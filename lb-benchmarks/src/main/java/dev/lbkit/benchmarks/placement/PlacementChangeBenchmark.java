package dev.lbkit.benchmarks.placement;

import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of building a candidate over {@code n} nodes ({@link Subject}, {@link #build}), and of
 * one membership change on it: adding node {@code n} ({@link #addOne}) or removing the node of
 * largest index it holds, the last one ({@link #removeOne}). Each change is undone after every
 * invocation, outside the measured time (JMH's {@code Level.Invocation} tear-down; sound because a
 * change takes microseconds to milliseconds, far above the cost of reading the clock), so every
 * invocation changes the same {@code n}-node placement. {@link PlacementReport} sets forks and
 * iterations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PlacementChangeBenchmark {

  /** A mapping over the subject's nodes, restored after each change. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // set in setUp()
  public static class Changing {

    Mapping mapping;
    Node joining;
    Node leaving;

    /** Builds the {@code n}-node mapping. */
    @Setup
    public void setUp(Subject subject) {
      mapping = subject.build();
      joining = Node.number(subject.n);
      // the node of largest index the build holds: node n - 1 unless the candidate removed it
      leaving = mapping.nodes().stream().max(Comparator.comparingInt(Node::index)).orElseThrow();
    }

    /** Restores the {@code n}-node mapping, unmeasured: takes node n out, the last node back. */
    @TearDown(Level.Invocation)
    public void undo() {
      if (mapping.nodes().contains(joining)) {
        mapping.remove(joining);
      }
      if (!mapping.nodes().contains(leaving)) {
        mapping.add(leaving);
      }
    }
  }

  /** Builds the candidate over {@code n} nodes. */
  @Benchmark
  public Object build(Subject subject) {
    return subject.build();
  }

  /** Adds node {@code n}. */
  @Benchmark
  public Object addOne(Changing changing) {
    changing.mapping.add(changing.joining);
    return changing.mapping;
  }

  /** Removes the last node. */
  @Benchmark
  public Object removeOne(Changing changing) {
    changing.mapping.remove(changing.leaving);
    return changing.mapping;
  }
}
