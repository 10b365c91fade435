package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Envoy's least request: power of two choices while weights are equal, a draw by {@code weight /
 * (active + 1)^bias} otherwise. Shares are checked within 5 standard deviations of a binomial count
 * (a false failure about once in 10^6 runs; the seeds make each run the same anyway).
 */
class WeightedLeastRequestTest {

  private static final int PICKS = 40_000;

  static Map<Server, Integer> counts(ServerPicker picker, int picks) {
    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(picker.next(), 1, Integer::sum);
    }
    return counts;
  }

  /** Asserts that {@code count} of {@code picks} is within 5 sigma of share {@code p}. */
  static void assertShare(int count, int picks, double p) {
    double sigma = Math.sqrt(picks * p * (1 - p));
    assertThat((double) count).isBetween(picks * p - 5 * sigma, picks * p + 5 * sigma);
  }

  private static WeightedLeastRequest picker(List<Server> servers, double bias) {
    return new WeightedLeastRequest(
        servers, bias, null, new FakeTicker(), RandomSources.seeded(11));
  }

  private static void open(Server server, int connections) {
    for (int i = 0; i < connections; i++) {
      server.connectionOpened();
    }
  }

  @Test
  void equalWeightsArePowerOfTwoChoicesSoTheBusiestServerIsNeverPicked() {
    Server a = new Server("a", 1);
    Server b = new Server("b", 1);
    Server c = new Server("c", 1);
    open(a, 5);
    open(b, 1);

    Map<Server, Integer> counts = counts(picker(List.of(a, b, c), 1.0), PICKS);

    assertThat(counts).doesNotContainKey(a);
    // c (idle) wins every pair it is in: 2 of the 3 pairs.
    assertShare(counts.get(c), PICKS, 2.0 / 3);
  }

  @Test
  void unequalWeightsDrawInProportionToWeightOverActivePlusOne() {
    Server a = new Server("a", 1, 3);
    Server b = new Server("b", 1, 1);

    assertShare(counts(picker(List.of(a, b), 1.0), PICKS).get(a), PICKS, 0.75);

    open(a, 2); // 3 / (2 + 1) = 1 = 1 / (0 + 1)
    assertShare(counts(picker(List.of(a, b), 1.0), PICKS).get(a), PICKS, 0.5);
    // bias 2: 3 / 9 against 1
    assertShare(counts(picker(List.of(a, b), 2.0), PICKS).get(a), PICKS, 0.25);
    // bias 0: weights alone
    assertShare(counts(picker(List.of(a, b), 0.0), PICKS).get(a), PICKS, 0.75);
  }

  @Test
  void theBalancerRoutesByWeightedLeastRequest() {
    Server a = new Server("a", 1, 3);
    Server b = new Server("b", 1, 1);
    LoadBalancer lb =
        LoadBalancer.builder(List.of(a, b))
            .algorithm(Algorithm.WEIGHTED_LEAST_REQUEST)
            .activeRequestBias(0.0)
            .random(RandomSources.seeded(5))
            .build();
    int toA = 0;
    for (int i = 0; i < PICKS; i++) {
      if (lb.route(Request.empty()).orElseThrow().equals(a)) {
        toA++;
      }
    }
    assertShare(toA, PICKS, 0.75);
    assertThat(lb.toString()).contains("WEIGHTED_LEAST_REQUEST");
  }

  @Test
  void badBiasIsRefusedWithItsValueAndOnlyLeastRequestTakesIt() {
    List<Server> servers = List.of(new Server("a", 1));
    assertThatThrownBy(() -> picker(servers, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("activeRequestBias: -1.0 (expected: >= 0 and finite)");
    assertThatThrownBy(() -> LoadBalancer.builder(servers).activeRequestBias(Double.NaN))
        .hasMessage("activeRequestBias: NaN (expected: >= 0 and finite)");
    assertThatThrownBy(() -> LoadBalancer.builder(servers).activeRequestBias(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "activeRequestBias: 2.0 is set but algorithm: ROUND_ROBIN does not use it (expected:"
                + " algorithm WEIGHTED_LEAST_REQUEST)");
  }
}
