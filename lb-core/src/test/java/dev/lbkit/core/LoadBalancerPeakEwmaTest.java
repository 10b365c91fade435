package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Algorithm#PEAK_EWMA} through the facade: leases feed the latency estimates. */
class LoadBalancerPeakEwmaTest {

  private final FakeTicker ticker = new FakeTicker();
  private final List<Server> servers = servers(2);
  private final LoadBalancer lb =
      LoadBalancer.builder(servers)
          .algorithm(Algorithm.PEAK_EWMA)
          .ticker(ticker)
          .random(new SplittableRandom(7))
          .build();

  /** Runs one call on whichever server the balancer picks, taking {@code millis}. */
  private Server call(long millis, boolean fail) {
    Lease lease = lb.acquire(path("/x"));
    ticker.advance(Duration.ofMillis(millis));
    if (fail) {
      lease.fail(new IllegalStateException("boom"));
    }
    lease.close();
    return lease.server();
  }

  private Server slow() {
    return servers.get(0);
  }

  private Server fast() {
    return servers.get(1);
  }

  /** Teaches the balancer that server 0 takes 200 ms and server 1 takes 10 ms. */
  private void learn() {
    for (int i = 0; i < 20; i++) {
      Lease lease = lb.acquire(path("/learn"));
      ticker.advance(Duration.ofMillis(lease.server().equals(slow()) ? 200 : 10));
      lease.close();
    }
  }

  @Test
  void closedLeasesTeachTheBalancerWhichServerIsFast() {
    learn();
    // With two servers every pick compares both: the fast one wins while it is idle.
    for (int i = 0; i < 50; i++) {
      assertThat(call(10, false)).isEqualTo(fast());
    }
  }

  @Test
  void aFastFailureDoesNotMakeItsServerLookFast() {
    learn();
    // Let the estimates age, so that a low sample would weigh (e^-0.5 of the old value is kept).
    ticker.advance(Duration.ofSeconds(5));
    PeakEwmaProbe probe = new PeakEwmaProbe();
    double before = probe.estimateOf(lb, slow());
    boolean failedOnSlow = false;
    // Fail fast on the slow server: force it by holding the fast one busy with many leases.
    List<Lease> held = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Lease lease = lb.acquire(path("/hold"));
      if (lease.server().equals(slow())) {
        lease.fail(new IllegalStateException("fast failure"));
        lease.close(); // 0 ms, failed
        failedOnSlow = true;
        break;
      }
      held.add(lease);
    }
    held.forEach(Lease::close);
    assertThat(failedOnSlow).as("the slow server got a call once the fast one was busy").isTrue();
    assertThat(probe.estimateOf(lb, slow())).isGreaterThanOrEqualTo(before * 0.999);
  }

  @Test
  void badDecayIsRejected() {
    assertThatThrownBy(() -> LoadBalancer.builder(servers).peakEwmaDecay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("decay: PT0S (expected: > 0)");
  }

  /** Reads the estimates of the facade's picker: the test is in the package. */
  static final class PeakEwmaProbe {
    double estimateOf(LoadBalancer lb, Server server) {
      return lb.latencyEstimateForTest(server);
    }
  }
}
