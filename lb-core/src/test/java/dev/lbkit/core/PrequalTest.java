package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Prequal's pick rule, reuse, aging and probing, on fake time with the probes driven by hand. */
class PrequalTest {

  private final FakeTicker ticker = new FakeTicker(123_456_789L);
  private final Server a = new Server("a", 1);
  private final Server b = new Server("b", 1);
  private final Server c = new Server("c", 1);
  private final Server d = new Server("d", 1);
  private final List<Runnable> queued = new ArrayList<>();
  private final Map<Server, LoadReport> reports = new HashMap<>();
  private final List<Server> probed = new ArrayList<>();

  private PrequalConfig.Builder config() {
    return PrequalConfig.builder(
            server -> {
              probed.add(server);
              LoadReport report = reports.get(server);
              return report == null
                  ? CompletableFuture.failedFuture(new IllegalStateException("down"))
                  : CompletableFuture.completedFuture(report);
            })
        .executor(queued::add);
  }

  private Prequal prequal(PrequalConfig config, Server... servers) {
    return new Prequal(List.of(servers), config, ticker, RandomSources.seeded(7));
  }

  private static PrequalPolicy policyOf(Prequal picker) {
    return (PrequalPolicy) (Policy<?>) picker.policy;
  }

  private static long ms(long millis) {
    return millis * 1_000_000;
  }

  @Test
  void theColdServerWithTheLowestLatencyWinsNotTheFastestHotOne() {
    Prequal picker = prequal(config().build(), a, b, c, d);
    PrequalPolicy policy = policyOf(picker);
    policy.offer(a, new LoadReport(1, ms(50)));
    policy.offer(b, new LoadReport(2, ms(10)));
    policy.offer(c, new LoadReport(9, ms(1))); // fastest, but its RIF is at the 0.84 quantile: hot

    assertThat(picker.next()).isSameAs(b);
  }

  @Test
  void whenAllAreHotTheLowestRifWinsThenTheLowerLatency() {
    Prequal picker = prequal(config().rifQuantile(0.5).maxReuse(10).build(), a, b, c);
    PrequalPolicy policy = policyOf(picker);
    policy.offer(a, new LoadReport(4, ms(30)));
    policy.offer(b, new LoadReport(4, ms(20)));
    policy.offer(c, new LoadReport(4, ms(40)));

    // All RIFs equal the median: none is below it, so all are hot; ties go to the lower latency.
    // Each use adds one to the RIF of the result used, so the picks then rotate by RIF.
    List<Server> picks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picks.add(picker.next());
    }
    assertThat(picks).containsExactly(b, a, c, b);
  }

  @Test
  void aResultServesAtMostMaxReusePicksAndEachUseCountsARequest() {
    Prequal picker = prequal(config().maxReuse(2).rifQuantile(1.0).build(), a, b);
    PrequalPolicy policy = policyOf(picker);
    policy.offer(a, new LoadReport(0, ms(5)));
    policy.offer(b, new LoadReport(5, ms(1)));

    assertThat(picker.next()).isSameAs(a); // a: RIF 0 -> 1, one use left
    assertThat(picker.next()).isSameAs(a); // a: last use, leaves the pool
    assertThat(picker.pooledProbes()).isEqualTo(1);
    assertThat(picker.next()).isSameAs(b);
  }

  @Test
  void resultsAgeOutAndAnEmptyPoolPicksAtRandom() {
    Prequal picker = prequal(config().maxAge(Duration.ofMillis(100)).build(), a, b, c, d);
    policyOf(picker).offer(c, new LoadReport(0, ms(1)));
    ticker.advance(Duration.ofMillis(99));
    assertThat(picker.pooledProbes()).isEqualTo(1);
    ticker.advance(Duration.ofMillis(1));
    assertThat(picker.pooledProbes()).isZero();

    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      counts.merge(picker.next(), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys(a, b, c, d);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(50, 150));
  }

  @Test
  void aResultOfAServerThatIsNoLongerHealthyIsDroppedAndTheRuleRunsAgain() {
    Prequal picker = prequal(config().build(), a, b, c);
    PrequalPolicy policy = policyOf(picker);
    policy.offer(a, new LoadReport(0, ms(1)));
    policy.offer(b, new LoadReport(0, ms(2)));
    policy.offer(c, new LoadReport(9, ms(9)));
    a.setHealthy(false);

    assertThat(picker.next()).isSameAs(b);
    assertThat(picker.pooledProbes()).isEqualTo(2);
  }

  @Test
  void probesGoOutAtTheConfiguredRateOnTheExecutorNotOnThePick() {
    reports.put(a, new LoadReport(3, ms(3)));
    reports.put(b, new LoadReport(1, ms(1)));
    Prequal picker = prequal(config().probesPerRequest(0.5).build(), a, b);

    picker.next();
    assertThat(queued).isEmpty(); // half a probe due
    picker.next();
    assertThat(queued).hasSize(1); // one probe due: one drain handed to the executor
    assertThat(probed).isEmpty(); // and nothing probed on the picking thread
    picker.next();
    picker.next();
    assertThat(queued).hasSize(1); // a drain is pending: no second hand-off

    queued.remove(0).run();
    assertThat(probed).hasSize(2); // the drain starts every probe due by then
    assertThat(picker.probesSent()).isEqualTo(2);
    assertThat(picker.pooledProbes()).isBetween(1, 2);
  }

  @Test
  void aProbeThatThrowsOrFailsIsIgnored() {
    reports.put(a, new LoadReport(0, ms(1)));
    Prequal picker =
        new Prequal(
            List.of(a, b),
            PrequalConfig.builder(
                    server -> {
                      if (server.equals(b)) {
                        throw new IllegalStateException("probe bug");
                      }
                      return CompletableFuture.completedFuture(reports.get(server));
                    })
                .executor(Runnable::run)
                .probesPerRequest(4)
                .build(),
            ticker,
            RandomSources.seeded(3));

    for (int i = 0; i < 50; i++) {
      assertThat(picker.next()).isIn(a, b);
    }
    assertThat(picker.probesFailed()).isPositive();
    assertThat(picker.probesSent()).isEqualTo(200);
    assertThat(picker.pooledProbes()).isEqualTo(1); // only a ever answers
  }

  @Test
  void aNewResultOfAServerReplacesItsOldOneAndAFullPoolDropsTheOldest() {
    Prequal picker = prequal(config().poolSize(2).build(), a, b, c);
    PrequalPolicy policy = policyOf(picker);
    policy.offer(a, new LoadReport(7, ms(7)));
    ticker.advance(Duration.ofMillis(1));
    policy.offer(b, new LoadReport(7, ms(7)));
    ticker.advance(Duration.ofMillis(1));
    policy.offer(a, new LoadReport(0, ms(1))); // replaces a's result, not b's
    assertThat(picker.pooledProbes()).isEqualTo(2);
    ticker.advance(Duration.ofMillis(1));
    policy.offer(c, new LoadReport(0, ms(2))); // full: b's is the oldest
    // a (RIF 0, 1 ms) and c (RIF 0, 2 ms): both at the quantile, so hot: a by latency; then a at
    // RIF 1 is hot and c cold; then both at RIF 1, hot: a again, its last use.
    List<Server> picks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      picks.add(picker.next());
    }
    assertThat(picks).containsExactly(a, c, a);
  }

  @Test
  void theBalancerRoutesByPrequalAndRequiresItsProbe() {
    LoadBalancer lb =
        LoadBalancer.builder(List.of(a, b, c))
            .algorithm(Algorithm.PREQUAL)
            .prequal(
                PrequalConfig.builder(
                        server ->
                            CompletableFuture.completedFuture(
                                new LoadReport(server.equals(b) ? 0 : 50, ms(1))))
                    .executor(Runnable::run)
                    .build())
            .ticker(ticker)
            .random(RandomSources.seeded(1))
            .build();
    for (int i = 0; i < 20; i++) {
      lb.route(Request.empty()); // fills the pool
    }
    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      counts.merge(lb.route(Request.empty()).orElseThrow(), 1, Integer::sum);
    }
    assertThat(counts.getOrDefault(b, 0)).isGreaterThan(60);

    assertThatThrownBy(() -> LoadBalancer.builder(List.of(a)).algorithm(Algorithm.PREQUAL).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("algorithm: PREQUAL without prequal(PrequalConfig)");
    assertThatThrownBy(
            () ->
                LoadBalancer.builder(List.of(a))
                    .prequal(PrequalConfig.of(s -> new CompletableFuture<>()))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not use it (expected: algorithm PREQUAL)");
  }

  @Test
  void badSettingsAreRefusedWithTheirValue() {
    PrequalConfig.Builder builder = config();
    assertThatThrownBy(() -> builder.poolSize(0)).hasMessage("poolSize: 0 (expected: 1..1024)");
    assertThatThrownBy(() -> builder.probesPerRequest(0))
        .hasMessage("probesPerRequest: 0.0 (expected: > 0 and <= 64)");
    assertThatThrownBy(() -> builder.maxReuse(0)).hasMessage("maxReuse: 0 (expected: >= 1)");
    assertThatThrownBy(() -> builder.maxAge(Duration.ZERO))
        .hasMessage("maxAge: PT0S (expected: > 0 and <= 1 day)");
    assertThatThrownBy(() -> builder.rifQuantile(1.5))
        .hasMessage("rifQuantile: 1.5 (expected: > 0 and <= 1)");
    assertThatThrownBy(() -> new LoadReport(-1, 0))
        .hasMessage("requestsInFlight: -1 (expected: >= 0)");
    assertThatThrownBy(() -> PrequalConfig.builder(null)).isInstanceOf(NullPointerException.class);
  }
}
