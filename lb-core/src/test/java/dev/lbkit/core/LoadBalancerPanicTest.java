package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.keyed;
import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static dev.lbkit.core.FacadeFixtures.withCookie;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link LoadBalancer.Builder#panicThreshold}: below the threshold the balancer routes over all its
 * servers, unhealthy and ejected ones included; drain, rate limits and caps still hold; without a
 * threshold nothing healthy means nothing routed.
 */
class LoadBalancerPanicTest {

  private final FakeTicker ticker = new FakeTicker();
  private final List<Server> four = servers(4);

  private LoadBalancer.Builder builder() {
    return LoadBalancer.builder(four).ticker(ticker).random(RandomSources.seeded(7));
  }

  /** Routes {@code n} requests and returns the last octet of each server's host, or '-'. */
  private static String trace(LoadBalancer lb, int n) {
    StringBuilder trace = new StringBuilder();
    for (int i = 0; i < n; i++) {
      Optional<Server> s = lb.route(path("/" + i));
      trace.append(
          s.map(server -> server.host().substring(server.host().length() - 1)).orElse("-"));
    }
    return trace.toString();
  }

  private void healthy(int count) {
    for (int i = 0; i < four.size(); i++) {
      four.get(i).setHealthy(i < count);
    }
  }

  @Test
  void offByDefault_nothingHealthyRoutesNothing() {
    LoadBalancer lb = builder().build();
    healthy(0);
    assertThat(lb.isPanicking()).isFalse();
    assertThat(trace(lb, 4)).isEqualTo("----");
    assertThat(lb.tryAcquire(path("/x"))).isEmpty();
    healthy(1);
    assertThat(trace(lb, 4)).isEqualTo("1111");
  }

  @Test
  void oneOfFourHealthyAtHalfRoutesOverAllFour() {
    LoadBalancer lb = builder().panicThreshold(0.5).build();
    healthy(1);
    assertThat(lb.isPanicking()).isTrue();
    assertThat(trace(lb, 8)).isEqualTo("12341234");
    try (Lease lease = lb.acquire(path("/lease"))) {
      assertThat(lease.server()).isSameAs(four.get(0));
    }
  }

  @Test
  void twoOrThreeOfFourHealthyAtHalfIsNoPanic() {
    LoadBalancer lb = builder().panicThreshold(0.5).build();
    healthy(3);
    assertThat(lb.isPanicking()).isFalse();
    assertThat(trace(lb, 6)).isEqualTo("123123");
    healthy(2); // 2 < 0.5 x 4 is false: still no panic
    assertThat(lb.isPanicking()).isFalse();
    assertThat(trace(lb, 4)).isEqualTo("1212");
  }

  @Test
  void panicEndsAsSoonAsHealthReturns() {
    LoadBalancer lb = builder().panicThreshold(0.5).build();
    healthy(0);
    assertThat(trace(lb, 4)).isEqualTo("1234");
    four.get(2).setHealthy(true);
    four.get(3).setHealthy(true);
    assertThat(lb.isPanicking()).isFalse();
    assertThat(trace(lb, 4)).isEqualTo("3434");
    four.get(3).setHealthy(false);
    assertThat(lb.isPanicking()).isTrue();
  }

  @Test
  void ejectedServersCountAsUnhealthyAndComeBackIntoThePanicRotation() {
    LoadBalancer lb = builder().panicThreshold(0.5).maxEjectionPercent(100).build();
    lb.eject(four.get(0), Duration.ofSeconds(10));
    lb.eject(four.get(1), Duration.ofSeconds(20));
    assertThat(lb.isPanicking()).as("2 of 4 in rotation").isFalse();
    assertThat(trace(lb, 8)).contains("3", "4").doesNotContain("1", "2", "-");

    lb.eject(four.get(2), Duration.ofSeconds(30));
    assertThat(lb.isPanicking()).as("1 of 4").isTrue();
    assertThat(trace(lb, 4)).as("ejected ones too").isEqualTo("1234");

    ticker.advance(Duration.ofSeconds(10)); // the first ejection ends: 2 of 4, with no other event
    assertThat(lb.isPanicking()).isFalse();
    assertThat(trace(lb, 8)).contains("1", "4").doesNotContain("2", "3", "-");
  }

  @Test
  void drainIsHonouredAndDrainingServersDoNotCount() {
    LoadBalancer lb = builder().panicThreshold(0.5).build();
    Lease held = lb.acquire(path("/held")); // keeps the first server draining
    Server draining = held.server();
    CompletableFuture<Void> drained = lb.drain(draining);
    four.get(1).setHealthy(false);
    four.get(2).setHealthy(false);
    // Of the three not draining, one is healthy: 1 < 1.5, panic; the draining one stays out.
    assertThat(lb.isPanicking()).isTrue();
    // One pick sequence per balancer (panic or not; it was two): the acquire above took pick 0.
    assertThat(trace(lb, 6)).isEqualTo("342342");
    held.close();
    assertThat(drained).isDone();
  }

  @Test
  void rateLimitsAndConcurrencyCapsStillHold() {
    LoadBalancer lb = builder().panicThreshold(1.0).maxConcurrent(1).build();
    healthy(0);
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      leases.add(lb.acquire(path("/" + i)));
    }
    assertThat(leases).extracting(Lease::server).containsExactlyElementsOf(four);
    assertThat(lb.tryAcquire(path("/full"))).isEmpty();
    leases.forEach(Lease::close);

    LoadBalancer limited = builder().panicThreshold(1.0).rateLimit(2).build();
    assertThat(trace(limited, 10)).isEqualTo("12341234--");
  }

  @Test
  void anAffinityCookieReachesItsUnhealthyServerInPanic() {
    LoadBalancer lb = builder().panicThreshold(0.5).sticky(true).build();
    healthy(1);
    Server pinned = four.get(3);
    for (int i = 0; i < 3; i++) {
      assertThat(lb.route(withCookie(lb, pinned))).contains(pinned);
    }
  }

  @Test
  void aThresholdOfOnePanicsWhileAnyServerIsOut() {
    LoadBalancer lb = builder().panicThreshold(1.0).build();
    assertThat(lb.isPanicking()).isFalse();
    four.get(3).setHealthy(false);
    assertThat(lb.isPanicking()).isTrue();
    assertThat(trace(lb, 4)).isEqualTo("1234");
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void everyAlgorithmSpreadsOverAllServersInPanic(Algorithm algorithm) {
    LoadBalancer lb = FacadeFixtures.algorithm(builder(), algorithm).panicThreshold(0.5).build();
    healthy(1);
    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      Server s = lb.route(keyed("job-" + i)).orElseThrow();
      counts.merge(s, 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(four);
  }

  @Test
  void consistentHashKeepsEachKeyOnOneServerInPanic() {
    LoadBalancer lb = builder().algorithm(Algorithm.CONSISTENT_HASH).panicThreshold(0.5).build();
    healthy(0);
    for (int i = 0; i < 50; i++) {
      Server first = lb.route(keyed("job-" + i)).orElseThrow();
      assertThat(lb.route(keyed("job-" + i))).contains(first);
    }
  }

  @Test
  void badThresholdsAreRejected() {
    LoadBalancer.Builder b = LoadBalancer.builder(four);
    assertThatThrownBy(() -> b.panicThreshold(0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("share: 0.0 (expected: > 0 and <= 1)");
    assertThatThrownBy(() -> b.panicThreshold(-0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("share: -0.5 (expected: > 0 and <= 1)");
    assertThatThrownBy(() -> b.panicThreshold(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("share: 1.5 (expected: > 0 and <= 1)");
    assertThatThrownBy(() -> b.panicThreshold(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("share: NaN (expected: > 0 and <= 1)");
    healthy(0);
    assertThat(b.build().route(path("/x"))).as("the bad values left it off").isEmpty();
  }
}
