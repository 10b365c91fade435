package dev.lbkit.benchmarks.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lbkit.benchmarks.Fixtures;
import dev.lbkit.benchmarks.placement.Candidate.Churn;
import dev.lbkit.benchmarks.placement.Candidate.Part;
import dev.lbkit.benchmarks.placement.QualityAnalysis.Row;
import dev.lbkit.hashing.Memento;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** One candidate's balance and disruption, end to end, on known and on structural answers. */
class QualityAnalysisTest {

  /** Key "k<i>" goes to node {@code i mod n} of the nodes in index order: easy to count by hand. */
  private static final class ModuloByKeyNumber implements Mapping {
    private final List<Node> nodes;

    ModuloByKeyNumber(List<Node> nodes) {
      this.nodes = new ArrayList<>(nodes);
    }

    @Override
    public @Nullable Node owner(String key) {
      return nodes.get(Integer.parseInt(key.substring(1)) % nodes.size());
    }

    @Override
    public void add(Node node) {
      nodes.add(node);
    }

    @Override
    public void remove(Node node) {
      nodes.remove(node);
    }

    @Override
    public List<Node> nodes() {
      return List.copyOf(nodes);
    }
  }

  private static final Candidate MODULO =
      new Candidate(
          "mod",
          "key number mod n",
          Set.of(Part.QUALITY),
          Churn.LAST,
          List.of(4),
          ModuloByKeyNumber::new);

  private static final String[] TWELVE_KEYS = {
    "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11"
  };

  @Test
  void aHandMadePlacementGivesTheCountedAnswers() {
    Row row = QualityAnalysis.analyse(MODULO, 4, TWELVE_KEYS);

    // 12 keys on 4 nodes: 3 each
    assertThat(row.balance().maxOverMean()).isEqualTo(1.0);
    assertThat(row.balance().minOverMean()).isEqualTo(1.0);
    // i mod 4 -> i mod 3 when node 3 leaves: 9 of 12 keys move, ideal 3; 6 left a node that stayed
    assertThat(row.removals()).isEqualTo(1);
    assertThat(row.removal().movedOverIdeal()).isCloseTo(3.0, within(1e-12));
    assertThat(row.removal().collateral()).isCloseTo(0.5, within(1e-12));
    // i mod 4 -> i mod 5 when node 4 joins: 8 keys move, ideal 12 / 5; 6 went to an old node
    assertThat(row.additions()).isEqualTo(1);
    assertThat(row.addition().movedOverIdeal()).isCloseTo(8 / 2.4, within(1e-12));
    assertThat(row.addition().collateral()).isCloseTo(0.5, within(1e-12));
    assertThat(row.spill()).isEmpty();
  }

  @Test
  void theRingAndRendezvousMoveNoKeyCollaterally() {
    String[] keys = Fixtures.randomKeys(5_000, 16, 1);
    for (String id : List.of("ring", "rendezvous")) {
      Row row = QualityAnalysis.analyse(Candidates.byId(id), 10, keys);

      assertThat(row.removals()).as(id).isEqualTo(3);
      assertThat(row.additions()).as(id).isEqualTo(3);
      assertThat(row.removal().collateral()).as(id).isZero();
      assertThat(row.addition().collateral()).as(id).isZero();
    }
  }

  @Test
  void mementoLosesTheFirstMiddleOrLastNodeWithoutCollateral() {
    Row row =
        QualityAnalysis.analyse(Candidates.byId("memento"), 10, Fixtures.randomKeys(5_000, 16, 4));

    assertThat(row.removals()).isEqualTo(3);
    assertThat(row.additions()).isEqualTo(3);
    // a mean of non-negative shares: zero only if each of the three removals moved no key
    assertThat(row.removal().collateral()).isZero();
    assertThat(row.addition().collateral()).isZero();
  }

  @Test
  void mementoWithTenPercentRemovedIsMeasuredOnThatStateAndLosesAnyNodeWithoutCollateral() {
    Candidate removed = Candidates.byId("memento-removed");
    List<Node> held = Candidates.mementoWithRemovals(Node.first(1000)).nodes();
    Set<Node> gone = new HashSet<>(Node.first(1000));
    held.forEach(gone::remove);

    // 100 removed at random, most of them not at the end: the memento table is in use
    assertThat(held).hasSize(900);
    assertThat(gone.stream().filter(node -> node.index() < 900)).hasSizeGreaterThan(50);

    Row row = QualityAnalysis.analyse(removed, 1000, Fixtures.randomKeys(20_000, 16, 5));

    assertThat(row.removals()).isEqualTo(3);
    assertThat(row.removal().collateral()).isZero();
    assertThat(row.addition().collateral()).isZero();
    // balance over the 900 nodes held: 22 keys each on average, so none is empty
    assertThat(row.balance().minOverMean()).isPositive();
  }

  @Test
  void aFreshMementoOfTheSmallerNodeSetIsAnotherPlacement() {
    // why disruption compares one state before and after, never a rebuild of the smaller set
    Memento<Node> afterRemovals = Candidates.mementoWithRemovals(Node.first(100));
    Memento<Node> rebuilt = new Memento<>(afterRemovals.nodes());
    String[] keys = Fixtures.randomKeys(2_000, 16, 6);

    long differ =
        Arrays.stream(keys)
            .filter(k -> !Objects.equals(afterRemovals.getNode(k), rebuilt.getNode(k)))
            .count();

    assertThat(differ).isGreaterThan(keys.length / 10);
  }

  @Test
  void aBuildThatDependsOnMoreThanItsNodesIsRejected() {
    int[] builds = {0};
    Candidate drifting =
        new Candidate(
            "drifting",
            "rotates by one node per build",
            Set.of(Part.QUALITY),
            Churn.LAST,
            List.of(4),
            nodes -> {
              List<Node> rotated = new ArrayList<>(nodes);
              Collections.rotate(rotated, builds[0]++);
              return new ModuloByKeyNumber(rotated);
            });

    assertThatThrownBy(() -> QualityAnalysis.analyse(drifting, 4, TWELVE_KEYS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("drifting at n=4: two builds over the same nodes place keys");
  }

  @Test
  void boundedLoadsNeverExceedTheCapAndAgreeWithGetDistribution() {
    // analyse throws if BoundedLoad.getDistribution disagrees with the sequential assignment
    String[] keys = Fixtures.randomKeys(5_000, 16, 2);
    for (String id : List.of("bounded-ring", "bounded-maglev", "bounded-ring-1.10")) {
      Row row = QualityAnalysis.analyse(Candidates.byId(id), 10, keys);
      double factor = id.endsWith("1.10") ? 1.10 : 1.25;

      assertThat(row.removals()).as(id).isEqualTo(1);
      assertThat(row.balance().maxOverMean())
          .as(id)
          .isLessThanOrEqualTo(Targets.capOverMean(row, factor));
      assertThat(row.spill()).as(id).isPresent();
    }
  }

  @Test
  void aJumpHashLosesOnlyItsLastBucket() {
    Row row =
        QualityAnalysis.analyse(Candidates.byId("guava"), 10, Fixtures.randomKeys(2_000, 16, 3));

    assertThat(row.removals()).isEqualTo(1);
    assertThat(row.removal().collateral()).isZero();
    Mapping jump = Candidates.byId("guava").build(Node.first(3));
    assertThatThrownBy(() -> jump.remove(Node.number(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "node: 10.0.0.1:8080 (expected: the last bucket, 10.0.0.3:8080;"
                + " a jump hash removes only the last bucket)");
  }

  @Test
  void theAnchorHashRemovesAnyNodeAndTakesItBack() {
    Mapping anchor = Candidates.byId("hash4j-anchor").build(Node.first(3));
    Optional<Node> before = Optional.ofNullable(anchor.owner("some key"));

    anchor.remove(Node.number(0));
    assertThat(anchor.nodes()).containsExactlyInAnyOrder(Node.number(1), Node.number(2));
    anchor.add(Node.number(0));

    assertThat(anchor.nodes()).hasSize(3);
    assertThat(Optional.ofNullable(anchor.owner("some key"))).isEqualTo(before);
  }
}
