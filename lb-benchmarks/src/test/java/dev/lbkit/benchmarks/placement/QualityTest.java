package dev.lbkit.benchmarks.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lbkit.benchmarks.placement.Quality.Balance;
import dev.lbkit.benchmarks.placement.Quality.Disruption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The balance and disruption arithmetic on owner arrays small enough to check by hand. */
class QualityTest {

  private static final Node A = Node.number(0);
  private static final Node B = Node.number(1);
  private static final Node C = Node.number(2);

  @Test
  void balanceIsTheBusiestAndIdlestNodeOverTheMean() {
    Balance balance = Quality.balance(new int[] {10, 20, 30, 99}, List.of(A, B, C));

    assertThat(balance.maxOverMean()).isCloseTo(1.5, within(1e-12)); // 30 / 20
    assertThat(balance.minOverMean()).isCloseTo(0.5, within(1e-12)); // 10 / 20
  }

  @Test
  void aNodeWithoutKeysCountsAsZero() {
    Balance balance = Quality.balance(Quality.tally(new Node[] {A, A, B, B}, 3), List.of(A, B, C));

    assertThat(balance.maxOverMean()).isCloseTo(1.5, within(1e-12)); // 2 / (4 / 3)
    assertThat(balance.minOverMean()).isZero();
  }

  @Test
  void removingANodeThatTakesOnlyItsOwnKeysIsIdeal() {
    Node[] before = {A, B, C, A, B, C};
    Node[] after = {A, B, A, A, B, B};

    Disruption d = Quality.removal(before, after, C, 3);

    assertThat(d.movedOverIdeal()).isCloseTo(1.0, within(1e-12)); // 2 moved, ideal 6 / 3
    assertThat(d.collateral()).isZero();
  }

  @Test
  void aKeyThatLeavesANodeThatStayedIsCollateral() {
    Node[] before = {A, B, C, A, B, C};
    Node[] after = {B, B, A, A, B, B}; // key 0 left A, which stayed

    Disruption d = Quality.removal(before, after, C, 3);

    assertThat(d.movedOverIdeal()).isCloseTo(1.5, within(1e-12)); // 3 moved, ideal 2
    assertThat(d.collateral()).isCloseTo(1.0 / 6, within(1e-12));
  }

  @Test
  void onAdditionOnlyKeysMovingToTheNewNodeAreNeeded() {
    Node[] before = {A, B, A, B};
    Node[] after = {C, B, A, A}; // key 0 to the new node; key 3 from B to A: collateral

    Disruption d = Quality.addition(before, after, C, 2);

    assertThat(d.movedOverIdeal()).isCloseTo(1.5, within(1e-12)); // 2 moved, ideal 4 / 3
    assertThat(d.collateral()).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void theMeanIsTakenFigureByFigure() {
    Disruption mean = Disruption.mean(List.of(new Disruption(1.0, 0.0), new Disruption(2.0, 0.5)));

    assertThat(mean).isEqualTo(new Disruption(1.5, 0.25));
    assertThatThrownBy(() -> Disruption.mean(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("changes: [] (expected: at least one)");
  }

  @Test
  void ownerArraysOfDifferentLengthsAreRejected() {
    assertThatThrownBy(() -> Quality.removal(new Node[] {A, B}, new Node[] {A}, B, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("after: 1 owners (expected: 2, as before)");
  }
}
