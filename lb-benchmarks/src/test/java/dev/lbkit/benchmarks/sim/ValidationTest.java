package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A representative subset of the validation against queueing theory, each within the 3% of the full
 * grid ({@code Simulate validate}, in docs/simulation.md): M/M/1's mean and p99 through the general
 * API, and the supermarket at 1,000 servers for d = 1, 2, 3 at loads where a short run already
 * converges. About 5 million simulated requests, a few seconds.
 */
class ValidationTest {

  private static void assertWithinTolerance(Validation.Check check) {
    assertThat(Math.abs(check.error()))
        .as(
            "%s %s %s: theory %.4f, simulated %.4f",
            check.model(), check.parameters(), check.figure(), check.theory(), check.measured())
        .isLessThanOrEqualTo(Validation.TOLERANCE);
  }

  @Test
  void mm1MeanAndP99() {
    // 400,000 units at lambda 0.5: relative standard error of the mean about 0.8%.
    List<Validation.Check> checks = Validation.mm1(0.5, 400_000, 1_000, 1);
    checks.forEach(ValidationTest::assertWithinTolerance);
    assertThat(checks).extracting(Validation.Check::figure).containsExactly("mean", "p99");
  }

  @Test
  void supermarketRandomRouting() {
    assertWithinTolerance(Validation.supermarket(1_000, 0.7, 1, 1_200, 200, 1));
  }

  @Test
  void supermarketTwoChoicesAtNinetyPercent() {
    assertWithinTolerance(Validation.supermarket(1_000, 0.9, 2, 1_700, 200, 1));
  }

  @Test
  void supermarketThreeChoices() {
    assertWithinTolerance(Validation.supermarket(1_000, 0.8, 3, 1_200, 200, 1));
  }
}
