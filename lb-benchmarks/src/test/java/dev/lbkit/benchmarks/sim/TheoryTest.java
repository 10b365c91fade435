package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The closed forms, against values worked out by hand. */
class TheoryTest {

  @Test
  void mm1() {
    assertThat(Theory.mm1Mean(0.8, 1)).isCloseTo(5, within(1e-12));
    assertThat(Theory.mm1Mean(80, 100)).isCloseTo(0.05, within(1e-12));
    assertThat(Theory.mm1Quantile(0.8, 1, 0.99)).isCloseTo(5 * Math.log(100), within(1e-12));
    assertThatThrownBy(() -> Theory.mm1Mean(1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lambda: 1.0 (expected: in (0, mu), mu 1.0)");
  }

  @Test
  void supermarketFixedPoint() {
    // d = 2, lambda = 0.9: 1 + 0.9^2 + 0.9^6 + 0.9^14 + 0.9^30 + 0.9^62 + ...
    double expected = 0;
    for (int i = 1; i < 20; i++) {
      expected += Math.pow(0.9, Math.pow(2, i) - 2);
    }
    assertThat(Theory.supermarketMean(0.9, 2)).isCloseTo(expected, within(1e-12));
    assertThat(Theory.supermarketMean(0.9, 2)).isCloseTo(2.6141, within(1e-4));
    // d = 3: exponents (3^i - 3) / 2 = 0, 3, 12, 39, ...
    assertThat(Theory.supermarketMean(0.5, 3))
        .isCloseTo(1 + Math.pow(0.5, 3) + Math.pow(0.5, 12) + Math.pow(0.5, 39), within(1e-12));
    assertThat(Theory.supermarketMean(0.95, 1)).isCloseTo(20, within(1e-9));
    assertThatThrownBy(() -> Theory.supermarketMean(0.5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("choices: 0 (expected: >= 1)");
  }
}
