package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.Server;
import dev.lbkit.core.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Item 8 of issue 13: the checker reads time only through its injected ticker (here a fake one that
 * the probe itself moves on), so what it reports about time is exact under test.
 */
class HealthCheckerTimeTest {

  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeClock ticker = new FakeClock(-5_000_000_000L); // across zero, for good measure
  private final Server a = new Server("10.9.0.1", 80);

  @Test
  void probeLatencyIsReadOnTheInjectedTicker() {
    Probe takes250ms =
        (server, timeout) -> {
          ticker.advance(Duration.ofMillis(250));
          return ProbeResult.passed();
        };
    List<String> heard = new ArrayList<>();
    try (HealthChecker checker =
        HealthChecker.builder()
            .interval(Duration.ofSeconds(1))
            .timeout(Duration.ofSeconds(1))
            .jitter(0)
            .ticker(ticker)
            .scheduler(scheduler)
            .probeExecutor(Runnable::run)
            .callbackExecutor(Runnable::run)
            .probe(takes250ms)
            .build()) {
      checker.onProbe(
          (server, result, nanos) -> heard.add(server.host() + " " + result + " " + nanos));
      assertThat(checker.check(a)).isTrue();
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ofSeconds(1)); // rounds at 0 and 1 s
    }
    assertThat(heard)
        .containsExactly(
            "10.9.0.1 passed 250000000", "10.9.0.1 passed 250000000", "10.9.0.1 passed 250000000");
  }
}
