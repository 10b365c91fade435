package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadBalancerMetricsTest {

  private final FakeTicker ticker = new FakeTicker();
  private final Server a = new Server("10.0.0.1", 80);
  private final Server b = new Server("10.0.0.2", 80);
  private final LoadBalancer lb = LoadBalancer.builder(List.of(a, b)).ticker(ticker).build();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double counter(String name, Server server) {
    return registry
        .get(name)
        .tags("balancer", "orders", "server", server.id())
        .functionCounter()
        .count();
  }

  private double gauge(String name, Server server) {
    return registry.get(name).tags("balancer", "orders", "server", server.id()).gauge().value();
  }

  @Test
  void publishesCountersGaugesAndLeaseTimers() {
    new LoadBalancerMetrics(lb, "orders").bindTo(registry);
    for (int i = 0; i < 4; i++) {
      lb.route(Request.empty());
    }
    try (Lease lease = lb.acquire(Request.empty())) {
      assertThat(gauge("lbkit.connections.active", lease.server())).isEqualTo(1);
      ticker.advance(Duration.ofMillis(30));
      lease.fail(new IOException("boom"));
    }
    assertThat(counter("lbkit.requests", a) + counter("lbkit.requests", b)).isEqualTo(5);
    assertThat(counter("lbkit.lease.errors", a) + counter("lbkit.lease.errors", b)).isEqualTo(1);
    assertThat(
            registry
                .get("lbkit.lease")
                .tags("outcome", "failure")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(30);
    assertThat(gauge("lbkit.server.healthy", a)).isEqualTo(1);
    a.setHealthy(false);
    assertThat(gauge("lbkit.server.healthy", a)).isZero();
    a.setHealthy(true);
  }

  @Test
  void serversAddedLaterGetMetersOnTheirFirstRequest() {
    new LoadBalancerMetrics(lb, "orders").bindTo(registry);
    Server c = new Server("10.0.0.3", 80);
    lb.addServer(c);
    lb.removeServer(a);
    lb.removeServer(b);
    lb.route(Request.empty());
    assertThat(counter("lbkit.requests", c)).isEqualTo(1);
  }

  @Test
  void countsRejections() {
    new LoadBalancerMetrics(lb, "orders").bindTo(registry);
    a.setHealthy(false);
    b.setHealthy(false);
    try {
      assertThat(lb.route(Request.empty())).isEmpty();
      assertThat(registry.get("lbkit.rejected").functionCounter().count()).isEqualTo(1);
    } finally {
      a.setHealthy(true);
      b.setHealthy(true);
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new LoadBalancerMetrics(null, "x"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("balancer");
    assertThatThrownBy(() -> new LoadBalancerMetrics(lb, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: ' ' (expected: not blank)");
  }
}
