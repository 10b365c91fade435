package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Server;
import dev.lbkit.core.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Envoy's interval detectors on fake time: success rate (mean less 1.9 standard deviations) and
 * failure percentage (85%), with Envoy's volumes and minimum hosts, the ejection time growing
 * across detectors, forgiveness per interval, and every ejection and return reported.
 */
class OutlierDetectorIntervalTest {

  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private final FakeClock ticker = new FakeClock(Long.MAX_VALUE - 25_000_000_000L); // wraps soon
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final IOException boom = new IOException("boom");

  private List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      servers.add(new Server("10.3.0." + (i + 1), 8080));
    }
    return servers;
  }

  private LoadBalancer balancer(List<Server> servers) {
    return LoadBalancer.builder(servers).ticker(ticker).build();
  }

  private OutlierDetector attached(OutlierDetector.Builder builder, LoadBalancer lb) {
    OutlierDetector detector = builder.build();
    detector.attach(lb);
    detector.addListener(
        new OutlierListener() {
          @Override
          public void onEjected(Server server, EjectionReason reason, Duration duration) {
            events.add("out " + server.host().substring(7) + " " + reason + " " + duration);
          }

          @Override
          public void onReturned(Server server) {
            events.add("back " + server.host().substring(7));
          }
        });
    return detector;
  }

  /**
   * A detector whose consecutive-failure detector waits for 1,000 failures in a row: the interval
   * detectors alone.
   */
  private static OutlierDetector.Builder intervalOnly() {
    return OutlierDetector.builder().consecutiveFailures(1_000);
  }

  /**
   * Records {@code calls} outcomes on {@code server}, {@code failures} of them failed, spread
   * evenly (at 80% or less, never five failures in a row).
   */
  private void calls(OutlierDetector detector, Server server, int calls, int failures) {
    for (int i = 0; i < calls; i++) {
      if ((long) (i + 1) * failures / calls > (long) i * failures / calls) {
        detector.recordFailure(server, boom);
      } else {
        detector.recordSuccess(server);
      }
    }
  }

  /** Ends the interval: the first outcome of the next one evaluates it. */
  private void nextInterval(OutlierDetector detector, Server anyone) {
    ticker.advance(INTERVAL);
    detector.recordSuccess(anyone);
  }

  @Test // Envoy's worked example: success rates {50, 100, 100, 100, 100}
  void successRate_envoysExample_meanNinetyStdevTwentyThresholdFiftyTwo() {
    List<Server> five = servers(5);
    LoadBalancer lb = balancer(five);
    OutlierDetector detector = attached(OutlierDetector.builder(), lb);
    calls(detector, five.get(0), 100, 50); // 50%: below 90 - 1.9 x 20 = 52
    for (Server s : five.subList(1, 5)) {
      calls(detector, s, 100, 0);
    }
    assertThat(events).isEmpty(); // nothing until the interval ends

    nextInterval(detector, five.get(1));

    assertThat(events).containsExactly("out 1 SUCCESS_RATE PT30S");
    assertThat(lb.isEjected(five.get(0))).isTrue();
    assertThat(detector.ejected()).containsExactly(five.get(0));
  }

  @Test
  void successRate_aRateAboveTheThresholdStays() {
    List<Server> five = servers(5);
    OutlierDetector detector = attached(OutlierDetector.builder(), balancer(five));
    calls(detector, five.get(0), 100, 47); // 53% against a threshold of 90.6 - 1.9 x 18.8 = 54.9
    calls(detector, five.get(1), 100, 0);
    calls(detector, five.get(2), 100, 0);
    calls(detector, five.get(3), 100, 0);
    calls(detector, five.get(4), 100, 0);
    nextInterval(detector, five.get(1));
    assertThat(events).containsExactly("out 1 SUCCESS_RATE PT30S"); // 53 < 54.9

    List<Server> other = servers(5);
    events.clear();
    OutlierDetector second = attached(OutlierDetector.builder(), balancer(other));
    calls(second, other.get(0), 100, 45); // 55%: mean 91, stdev 18, threshold 56.8... ejected
    calls(second, other.get(1), 100, 0);
    calls(second, other.get(2), 100, 0);
    calls(second, other.get(3), 100, 0);
    calls(second, other.get(4), 100, 0);
    nextInterval(second, other.get(1));
    assertThat(events).containsExactly("out 1 SUCCESS_RATE PT30S");

    events.clear();
    List<Server> third = servers(5);
    OutlierDetector tolerant =
        attached(OutlierDetector.builder().successRateStdevFactor(2.5), balancer(third));
    calls(tolerant, third.get(0), 100, 45); // threshold 91 - 2.5 x 18 = 46: 55% stays
    for (Server s : third.subList(1, 5)) {
      calls(tolerant, s, 100, 0);
    }
    nextInterval(tolerant, third.get(1));
    assertThat(events).isEmpty();
  }

  @Test
  void successRate_needsTheVolumeOnEnoughHosts() {
    List<Server> five = servers(5);
    LoadBalancer lb = balancer(five);
    OutlierDetector detector = attached(intervalOnly(), lb);
    calls(detector, five.get(0), 100, 100);
    calls(detector, five.get(1), 99, 0); // one call short of the request volume
    calls(detector, five.get(2), 100, 0);
    calls(detector, five.get(3), 100, 0);
    calls(detector, five.get(4), 100, 0);
    nextInterval(detector, five.get(1));
    assertThat(events).as("four hosts with the volume, five needed").isEmpty();

    // The next interval has the volume everywhere: the counts start again from zero.
    calls(detector, five.get(0), 100, 100);
    for (Server s : five.subList(1, 5)) {
      calls(detector, s, 100, 0);
    }
    nextInterval(detector, five.get(1));
    assertThat(events).containsExactly("out 1 SUCCESS_RATE PT30S");
  }

  @Test
  void successRate_aLateIntervalIsNotJudged() {
    List<Server> five = servers(5);
    OutlierDetector detector = attached(intervalOnly(), balancer(five));
    calls(detector, five.get(0), 100, 100);
    for (Server s : five.subList(1, 5)) {
      calls(detector, s, 100, 0);
    }
    ticker.advance(INTERVAL.multipliedBy(2)); // a quiet interval between
    detector.recordSuccess(five.get(1));
    assertThat(events).as("the last interval, with no calls, has no outlier").isEmpty();
  }

  @Test
  void failurePercentage_offByDefaultAsInEnvoy_ejectsAtTheThresholdWhenEnforced() {
    List<Server> five = servers(5);
    OutlierDetector off = attached(intervalOnly().enforcingSuccessRate(0), balancer(five));
    calls(off, five.get(0), 50, 50);
    for (Server s : five.subList(1, 5)) {
      calls(off, s, 50, 0);
    }
    nextInterval(off, five.get(1));
    assertThat(events).isEmpty();

    List<Server> others = servers(6);
    LoadBalancer lb = balancer(others);
    OutlierDetector on =
        attached(
            intervalOnly()
                .enforcingSuccessRate(0)
                .enforcingFailurePercentage(100)
                .maxEjectionPercent(100),
            lb);
    calls(on, others.get(0), 50, 43); // 86% failed: out
    calls(on, others.get(1), 60, 51); // 85%: out (at the threshold)
    calls(on, others.get(2), 50, 42); // 84%: stays
    calls(on, others.get(3), 50, 25);
    calls(on, others.get(4), 50, 0); // five servers with the volume of 50...
    calls(on, others.get(5), 49, 49); // ...and one call short of it: 100%, but stays
    nextInterval(on, others.get(4));
    assertThat(events)
        .containsExactlyInAnyOrder(
            "out 1 FAILURE_PERCENTAGE PT30S", "out 2 FAILURE_PERCENTAGE PT30S");
  }

  @Test
  void ejectionTimeGrowsAcrossDetectorsAndShrinksOneIntervalAtATime() {
    List<Server> five = servers(5);
    Server a = five.get(0);
    LoadBalancer lb = balancer(five);
    OutlierDetector detector = attached(OutlierDetector.builder().maxEjectionPercent(100), lb);
    calls(detector, a, 100, 80); // 20% against 84 - 1.9 x 32 = 23.2
    for (Server s : five.subList(1, 5)) {
      calls(detector, s, 100, 0);
    }
    nextInterval(detector, five.get(1)); // success rate: 30 s
    ticker.advance(Duration.ofSeconds(30)); // back
    calls(detector, a, 1, 1); // on probation: a failure ejects at once, for 2 x 30 s
    assertThat(events)
        .containsExactly("out 1 SUCCESS_RATE PT30S", "back 1", "out 1 CONSECUTIVE_FAILURES PT1M");

    ticker.advance(Duration.ofSeconds(60)); // back again, with two ejections to forgive
    calls(detector, a, 1, 0); // ends probation
    ticker.advance(INTERVAL); // one interval in rotation forgives one
    calls(detector, a, 5, 5);
    assertThat(events).last().isEqualTo("out 1 CONSECUTIVE_FAILURES PT1M");
  }

  @Test
  void aReturnIsReportedAtTheNextIntervalEvenWithoutCallsToTheServer() {
    List<Server> five = servers(5);
    LoadBalancer lb = balancer(five);
    OutlierDetector detector = attached(OutlierDetector.builder(), lb);
    calls(detector, five.get(0), 5, 5); // consecutive failures: 30 s
    ticker.advance(Duration.ofSeconds(30)); // over, as far as the balancer goes
    assertThat(events).containsExactly("out 1 CONSECUTIVE_FAILURES PT30S");
    detector.recordSuccess(five.get(1)); // the first outcome of a later interval
    assertThat(events).containsExactly("out 1 CONSECUTIVE_FAILURES PT30S", "back 1");
    assertThat(detector.ejected()).isEmpty();
  }

  @Test
  void theCapHoldsAcrossDetectors() {
    List<Server> ten = servers(10);
    LoadBalancer lb = balancer(ten);
    OutlierDetector detector =
        attached(OutlierDetector.builder().successRateStdevFactor(0.5), lb); // 10%: one of ten
    calls(detector, ten.get(0), 5, 5); // consecutive failures: the one ejection allowed
    for (int i = 1; i < 10; i++) {
      calls(detector, ten.get(i), 100, i <= 3 ? 60 : 0); // three success-rate outliers
    }
    nextInterval(detector, ten.get(9));
    assertThat(ten.stream().filter(lb::isEjected)).containsExactly(ten.get(0));
    assertThat(events).containsExactly("out 1 CONSECUTIVE_FAILURES PT30S");
  }

  @Test
  void enforcementIsARollOnTheInjectedRandomSource() {
    int ejected = 0;
    for (int trial = 0; trial < 40; trial++) {
      events.clear();
      List<Server> five = servers(5);
      OutlierDetector detector =
          attached(
              intervalOnly().enforcingSuccessRate(50).random(RandomSources.seeded(trial)),
              balancer(five));
      calls(detector, five.get(0), 100, 100);
      for (Server s : five.subList(1, 5)) {
        calls(detector, s, 100, 0);
      }
      nextInterval(detector, five.get(1));
      ejected += events.size();
    }
    assertThat(ejected).as("about half of 40 (binomial: 99.9%% within 8..32)").isBetween(8, 32);
  }

  @Test
  void badIntervalSettingsAreRejected() {
    OutlierDetector.Builder builder = OutlierDetector.builder();
    assertThatThrownBy(() -> builder.interval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.successRateMinimumHosts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("successRateMinimumHosts: 0 (expected: >= 1)");
    assertThatThrownBy(() -> builder.successRateStdevFactor(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("successRateStdevFactor: -1.0 (expected: >= 0 and finite)");
    assertThatThrownBy(() -> builder.enforcingFailurePercentage(101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("enforcingFailurePercentage: 101 (expected: 0..100)");
    assertThatThrownBy(() -> builder.failurePercentageThreshold(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failurePercentageThreshold: -1 (expected: 0..100)");
    assertThatThrownBy(() -> builder.random(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("random");
  }
}
