package dev.lbkit.benchmarks.placement;

import java.util.List;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The JMH parameters of the placement benchmarks: which candidate of {@link Candidates} (its id)
 * over how many nodes. {@link PlacementReport} passes every id; on the command line, pass {@code -p
 * placement=maglev}.
 */
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // set by JMH and setUp()
public class Subject {

  @Param({"ring"})
  String placement;

  @Param({"10", "100", "1000"})
  int n;

  Candidate candidate;
  List<Node> nodes;

  /** Finds the candidate and names the nodes. */
  @Setup
  public void setUp() {
    candidate = Candidates.byId(placement);
    nodes = Node.first(n);
  }

  /** Builds a fresh mapping of the candidate over the nodes. */
  Mapping build() {
    return candidate.build(nodes);
  }
}
