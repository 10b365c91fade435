package dev.lbkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.Server;
import dev.lbkit.core.testing.FakeClock;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.ProbeResult;
import dev.lbkit.health.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link HealthCheckerMetrics} over a checker on fake time: rounds, latencies and all. */
class HealthCheckerMetricsTest {

  private final FakeClock clock = new FakeClock();
  private final Scheduler scheduler =
      (task, delayNanos) -> clock.schedule(task, Duration.ofNanos(delayNanos))::cancel;
  private final Server a = new Server("10.1.0.1", 80);
  private final Server b = new Server("10.1.0.2", 80);
  private final MeterRegistry registry = new SimpleMeterRegistry();

  /** a fails every probe, b passes; each probe takes 5 ms of fake time. */
  private HealthChecker checker() {
    return HealthChecker.builder()
        .interval(Duration.ofSeconds(1))
        .timeout(Duration.ofSeconds(1))
        .jitter(0)
        .unhealthyThreshold(2)
        .ticker(clock)
        .scheduler(scheduler)
        .probeExecutor(Runnable::run)
        .callbackExecutor(Runnable::run)
        .probe(
            (server, timeout) -> {
              clock.setNanos(clock.read() + TimeUnit.MILLISECONDS.toNanos(5));
              return server.equals(a) ? ProbeResult.failed("down") : ProbeResult.passed();
            })
        .build();
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags("checker", "workers").tags(tags).counter().count();
  }

  @Test
  void countsProbesAndTransitionsTimesProbesAndGaugesTheServers() {
    try (HealthChecker checker = checker()) {
      HealthCheckerMetrics metrics = new HealthCheckerMetrics(checker, "workers");
      metrics.bindTo(registry);
      metrics.bindTo(registry); // again: nothing more
      checker.watch(List.of(a, b));
      checker.start();
      clock.advance(Duration.ofSeconds(2)); // rounds at 0, 1 and 2 s

      assertThat(counter("lbkit.health.probes", "server", a.id(), "outcome", "failed"))
          .isEqualTo(3);
      assertThat(counter("lbkit.health.probes", "server", b.id(), "outcome", "passed"))
          .isEqualTo(3);
      assertThat(counter("lbkit.health.transitions", "server", a.id(), "direction", "down"))
          .isEqualTo(1);
      assertThat(registry.find("lbkit.health.transitions").tag("direction", "up").counter())
          .isNull();
      Timer failed =
          registry
              .get("lbkit.health.probe")
              .tags("checker", "workers", "server", a.id(), "outcome", "failed")
              .timer();
      assertThat(failed.count()).isEqualTo(3);
      assertThat(failed.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(15);
      assertThat(registry.get("lbkit.health.servers").tag("state", "up").gauge().value())
          .isEqualTo(1);
      assertThat(registry.get("lbkit.health.servers").tag("state", "down").gauge().value())
          .isEqualTo(1);
    }
  }

  @Test
  void rejectsBadArguments() {
    try (HealthChecker checker = checker()) {
      assertThatThrownBy(() -> new HealthCheckerMetrics(checker, " "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("name: ' ' (expected: not blank)");
      assertThatThrownBy(() -> new HealthCheckerMetrics(null, "x"))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("checker");
    }
  }
}
