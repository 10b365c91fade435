package dev.lbkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Server;
import dev.lbkit.core.testing.FakeClock;
import dev.lbkit.health.OutlierDetector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OutlierDetectorMetrics} on fake time. */
class OutlierDetectorMetricsTest {

  private final FakeClock clock = new FakeClock();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double ejections(String reason) {
    return registry
        .get("lbkit.outlier.ejections")
        .tags("detector", "orders", "reason", reason)
        .counter()
        .count();
  }

  private double gauge(String name) {
    return registry.get(name).tags("detector", "orders").gauge().value();
  }

  @Test
  void countsEjectionsByDetectorAndReturnsAndGaugesWhoIsOut() {
    List<Server> servers = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      servers.add(new Server("10.5.0." + i, 80));
    }
    Server a = servers.get(0);
    LoadBalancer lb = LoadBalancer.builder(servers).ticker(clock).build();
    OutlierDetector detector = OutlierDetector.builder().build();
    detector.attach(lb);
    new OutlierDetectorMetrics(detector, "orders").bindTo(registry);
    assertThat(ejections("success_rate")).isZero(); // registered at bind

    for (int i = 0; i < 5; i++) {
      detector.recordFailure(a, new IOException("boom"));
    }
    assertThat(ejections("consecutive_failures")).isEqualTo(1);
    assertThat(gauge("lbkit.outlier.ejected")).isEqualTo(1);

    clock.advance(Duration.ofSeconds(30));
    detector.recordSuccess(a);
    assertThat(registry.get("lbkit.outlier.returns").counter().count()).isEqualTo(1);
    assertThat(gauge("lbkit.outlier.ejected")).isZero();

    // Envoy's success-rate example over the next interval: a at 50%, the others at 100%.
    clock.advance(Duration.ofSeconds(10));
    for (int i = 0; i < 100; i++) {
      for (Server s : servers) {
        if (s.equals(a) && i % 2 == 0) {
          detector.recordFailure(s, new IOException("boom"));
        } else {
          detector.recordSuccess(s);
        }
      }
    }
    clock.advance(Duration.ofSeconds(10));
    detector.recordSuccess(servers.get(1));
    assertThat(ejections("success_rate")).isEqualTo(1);
    assertThat(gauge("lbkit.outlier.ejected")).isEqualTo(1);
  }
}
