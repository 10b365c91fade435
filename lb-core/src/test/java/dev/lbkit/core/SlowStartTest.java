package dev.lbkit.core;

import static dev.lbkit.core.WeightedLeastRequestTest.assertShare;
import static dev.lbkit.core.WeightedLeastRequestTest.counts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Envoy's slow start: the weight formula, and ramps that start when a server joins or comes back
 * healthy, survive churn of the others, and end with the window; on fake time, seeded draws, shares
 * within 5 standard deviations.
 */
class SlowStartTest {

  private static final int PICKS = 40_000;
  private static final SlowStart TEN_SECONDS = SlowStart.of(Duration.ofSeconds(10));

  private final FakeTicker ticker = new FakeTicker(-5_000_000_000L); // across zero on purpose
  private final Server a = new Server("a", 1);
  private final Server b = new Server("b", 1);
  private final Server c = new Server("c", 1);
  private final Server d = new Server("d", 1);

  @Test
  void theFactorIsEnvoysFormula() {
    assertThat(TEN_SECONDS.weightFactor(Duration.ZERO)).isEqualTo(0.1); // max(0.1, 1 s / 10 s)
    assertThat(TEN_SECONDS.weightFactor(Duration.ofSeconds(5))).isCloseTo(0.5, within(1e-12));
    assertThat(TEN_SECONDS.weightFactor(Duration.ofSeconds(10))).isEqualTo(1.0);
    assertThat(TEN_SECONDS.weightFactor(Duration.ofDays(3))).isEqualTo(1.0);
    SlowStart aggressive = TEN_SECONDS.withAggression(2).withMinWeightPercent(0);
    assertThat(aggressive.weightFactor(Duration.ofMillis(2500))).isCloseTo(0.5, within(1e-12));
    assertThat(aggressive.weightFactor(Duration.ZERO)).isCloseTo(Math.sqrt(0.1), within(1e-12));
    SlowStart floor = TEN_SECONDS.withMinWeightPercent(40);
    assertThat(floor.weightFactor(Duration.ofSeconds(2))).isEqualTo(0.4);
    assertThat(floor.weightFactor(Duration.ofSeconds(6))).isCloseTo(0.6, within(1e-12));
  }

  private LoadBalancer balancer(Algorithm algorithm, Server... servers) {
    return LoadBalancer.builder(List.of(servers))
        .algorithm(algorithm)
        .slowStart(TEN_SECONDS)
        .ticker(ticker)
        .random(RandomSources.seeded(42))
        .build();
  }

  private static Map<Server, Integer> routes(LoadBalancer lb, int picks) {
    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(lb.route(Request.empty()).orElseThrow(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void theServersABalancerIsBuiltWithStartWarm() {
    LoadBalancer lb = balancer(Algorithm.ROUND_ROBIN, a, b, c);
    List<Server> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      order.add(lb.route(Request.empty()).orElseThrow());
    }
    assertThat(order).containsExactly(a, b, c, a, b, c);
  }

  @Test
  void aServerThatJoinsRampsThenTheScheduleResumes() {
    LoadBalancer lb = balancer(Algorithm.WEIGHTED_ROUND_ROBIN, a, b);
    lb.addServer(c);

    assertShare(routes(lb, PICKS).get(c), PICKS, 0.1 / 2.1); // at once: the 10% floor
    ticker.advance(Duration.ofSeconds(5));
    assertShare(routes(lb, PICKS).get(c), PICKS, 0.5 / 2.5);
    ticker.advance(Duration.ofSeconds(5));
    assertThat(routes(lb, 300))
        .containsOnly(Map.entry(a, 100), Map.entry(b, 100), Map.entry(c, 100));
  }

  @Test
  void aWarmServerStaysWarmWhenOthersJoinAndLeave() {
    LoadBalancer lb = balancer(Algorithm.WEIGHTED_ROUND_ROBIN, a, b);
    lb.addServer(c);
    ticker.advance(Duration.ofSeconds(20)); // c is warm now
    lb.addServer(d);
    lb.removeServer(a);
    ticker.advance(Duration.ofSeconds(5));

    Map<Server, Integer> counts = routes(lb, PICKS);
    assertShare(counts.get(d), PICKS, 0.5 / 2.5);
    assertShare(counts.get(c), PICKS, 1 / 2.5);
    assertShare(counts.get(b), PICKS, 1 / 2.5);
  }

  @Test
  void aServerThatComesBackHealthyRampsAgain() {
    LoadBalancer lb = balancer(Algorithm.ROUND_ROBIN, a, b);
    b.setHealthy(false);
    ticker.advance(Duration.ofSeconds(3));
    b.setHealthy(true);

    assertShare(routes(lb, PICKS).get(b), PICKS, 0.1 / 1.1);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(routes(lb, 10)).containsOnly(Map.entry(a, 5), Map.entry(b, 5));
  }

  @Test
  void leastRequestDoesNotFloodANewIdleServer() {
    for (int i = 0; i < 10; i++) {
      a.connectionOpened();
      b.connectionOpened();
    }
    WeightedLeastRequest ramped =
        new WeightedLeastRequest(List.of(a, b), 1.0, TEN_SECONDS, ticker, RandomSources.seeded(3));
    WeightedLeastRequest plain =
        new WeightedLeastRequest(List.of(a, b), 1.0, null, ticker, RandomSources.seeded(3));
    ramped.setServers(List.of(a, b, c));
    plain.setServers(List.of(a, b, c));

    // Without slow start, the idle newcomer wins every pair it is in: 2 of 3.
    assertShare(counts(plain, PICKS).get(c), PICKS, 2.0 / 3);
    // With it: 0.1 / 1 against 1 / 11 each.
    double cScore = 0.1;
    double busy = 1.0 / 11;
    assertShare(counts(ramped, PICKS).get(c), PICKS, cScore / (cScore + 2 * busy));
    ticker.advance(Duration.ofSeconds(10));
    assertShare(counts(ramped, PICKS).get(c), PICKS, 2.0 / 3); // warm: plain P2C again
  }

  @Test
  void offByDefaultAndOnlyForAlgorithmsThatShareByWeight() {
    LoadBalancer lb =
        LoadBalancer.builder(List.of(a, b)).algorithm(Algorithm.ROUND_ROBIN).ticker(ticker).build();
    lb.addServer(c);
    assertThat(routes(lb, 30)).containsOnly(Map.entry(a, 10), Map.entry(b, 10), Map.entry(c, 10));

    assertThatThrownBy(
            () ->
                LoadBalancer.builder(List.of(a))
                    .algorithm(Algorithm.LEAST_CONNECTIONS)
                    .slowStart(TEN_SECONDS)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("slowStart: SlowStart{window=PT10S")
        .hasMessageContaining("does not use it (expected: algorithm one of [ROUND_ROBIN,");
  }

  @Test
  void badSettingsAreRefusedWithTheirValue() {
    assertThatThrownBy(() -> SlowStart.of(Duration.ZERO))
        .hasMessage("window: PT0S (expected: > 0 and <= 1 day)");
    assertThatThrownBy(() -> TEN_SECONDS.withAggression(0))
        .hasMessage("aggression: 0.0 (expected: > 0 and finite)");
    assertThatThrownBy(() -> TEN_SECONDS.withMinWeightPercent(101))
        .hasMessage("minWeightPercent: 101.0 (expected: >= 0 and <= 100)");
  }
}
