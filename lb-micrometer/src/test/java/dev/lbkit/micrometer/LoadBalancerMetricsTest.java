package dev.lbkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.ServerStats;
import dev.lbkit.core.Stats;
import dev.lbkit.core.testing.FakeClock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LoadBalancerMetricsTest {

  private static final List<String> GAUGES =
      List.of(
          "lbkit.connections.active",
          "lbkit.server.healthy",
          "lbkit.server.draining",
          "lbkit.server.ejected");

  private final FakeClock clock = new FakeClock();
  private final Server a = new Server("10.0.0.1", 80);
  private final Server b = new Server("10.0.0.2", 80);
  private final LoadBalancer lb = LoadBalancer.builder(List.of(a, b)).ticker(clock).build();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private LoadBalancerMetrics bound(LoadBalancer balancer) {
    LoadBalancerMetrics metrics = new LoadBalancerMetrics(balancer, "orders");
    metrics.bindTo(registry);
    return metrics;
  }

  private double counter(String name, Server server) {
    return registry.get(name).tags("balancer", "orders", "server", server.id()).counter().count();
  }

  private double gauge(String name, Server server) {
    return registry.get(name).tags("balancer", "orders", "server", server.id()).gauge().value();
  }

  private long leases(Server server, String outcome) {
    return registry
        .get("lbkit.lease")
        .tags("server", server.id(), "outcome", outcome)
        .timer()
        .count();
  }

  /** Returns the ids of the servers that have a gauge called {@code name}. */
  private Set<String> withGauge(String name) {
    return registry.find(name).tag("balancer", "orders").gauges().stream()
        .map(g -> g.getId().getTag("server"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> ids(List<Server> servers) {
    return servers.stream().map(Server::id).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void countsMatchTheBalancersStatsAfterRoutesLeasesAndFailures() {
    bound(lb);
    for (int i = 0; i < 4; i++) {
      lb.route(Request.empty());
    }
    try (Lease lease = lb.acquire(Request.empty())) {
      assertThat(gauge("lbkit.connections.active", lease.server())).isEqualTo(1);
      clock.advance(Duration.ofMillis(30));
      lease.fail(new IOException("boom"));
    }
    Lease succeeding = lb.acquire(Request.empty());
    clock.advance(Duration.ofMillis(10));
    succeeding.close();
    a.setHealthy(false);
    b.setHealthy(false);
    assertThat(lb.route(Request.empty())).isEmpty();

    Stats stats = lb.stats();
    for (Server server : List.of(a, b)) {
      ServerStats expected = stats.servers().get(server.id());
      assertThat(counter("lbkit.requests", server)).isEqualTo((double) expected.requests());
      assertThat(counter("lbkit.lease.errors", server)).isEqualTo((double) expected.errors());
      assertThat(leases(server, "failure")).isEqualTo(expected.errors());
      assertThat(gauge("lbkit.connections.active", server)).isZero();
      assertThat(gauge("lbkit.server.healthy", server)).isZero();
    }
    assertThat(stats.totalRequests()).isEqualTo(6);
    assertThat(registry.get("lbkit.rejected").tags("balancer", "orders").counter().count())
        .isEqualTo((double) stats.rejected())
        .isEqualTo(1);
    assertThat(
            registry.get("lbkit.lease").tags("outcome", "failure").timers().stream()
                .mapToDouble(t -> t.totalTime(TimeUnit.MILLISECONDS))
                .sum())
        .isEqualTo(30);
    assertThat(
            registry.get("lbkit.lease").tags("outcome", "success").timers().stream()
                .mapToDouble(t -> t.totalTime(TimeUnit.MILLISECONDS))
                .sum())
        .isEqualTo(10);
    a.setHealthy(true);
    assertThat(gauge("lbkit.server.healthy", a)).isEqualTo(1);
  }

  /**
   * The defect this binder was rewritten for: it read a removed server's old counters after the
   * server was added again, so lbkit.requests stayed at 5 while the balancer had routed 10.
   */
  @Test
  void aServerRemovedAndAddedAgainKeepsCounting() {
    LoadBalancer one = LoadBalancer.builder(List.of(a)).ticker(clock).build();
    bound(one);
    int routed = 0;
    for (int i = 0; i < 5; i++) {
      routed += one.route(Request.empty()).filter(a::equals).isPresent() ? 1 : 0;
    }
    one.removeServer(a);
    one.addServer(a);
    for (int i = 0; i < 5; i++) {
      routed += one.route(Request.empty()).filter(a::equals).isPresent() ? 1 : 0;
    }

    assertThat(routed).isEqualTo(10);
    assertThat(counter("lbkit.requests", a)).isEqualTo(10);
    assertThat(gauge("lbkit.server.healthy", a)).as("a member again: gauges back").isEqualTo(1);
  }

  @Test
  void theGaugesOfARemovedServerAreGoneAndItsCountersStay() {
    bound(lb);
    lb.route(Request.empty());
    lb.route(Request.empty());

    lb.removeServer(b);

    for (String name : GAUGES) {
      assertThat(withGauge(name)).as(name).containsExactly(a.id());
    }
    assertThat(counter("lbkit.requests", b)).as("a counter never goes back").isEqualTo(1);
  }

  @Test
  void aDrainingServerShowsItUntilItLeaves() {
    bound(lb);
    Lease lease = lb.acquire(Request.empty());
    Server held = lease.server();
    CompletableFuture<Void> drained = lb.drain(held);
    assertThat(gauge("lbkit.server.draining", held)).isEqualTo(1);
    assertThat(gauge("lbkit.connections.active", held)).isEqualTo(1);

    lease.close();

    assertThat(drained).isDone();
    assertThat(withGauge("lbkit.server.draining")).doesNotContain(held.id());
    assertThat(counter("lbkit.requests", held)).isEqualTo(1);
  }

  @Test
  void anEjectedServerShowsItUntilTheFakeTimePasses() {
    bound(lb);
    assertThat(lb.eject(b, Duration.ofSeconds(30))).isTrue();
    assertThat(gauge("lbkit.server.ejected", b)).isEqualTo(1);
    assertThat(gauge("lbkit.server.ejected", a)).isZero();
    clock.advance(Duration.ofSeconds(30));
    assertThat(gauge("lbkit.server.ejected", b)).isZero();
  }

  @Test
  void aServerThatJoinsGetsItsMetersAtOnce() {
    bound(lb);
    Server c = new Server("10.0.0.3", 80);
    lb.addServer(c);
    assertThat(gauge("lbkit.server.healthy", c)).isEqualTo(1);
    assertThat(counter("lbkit.requests", c)).isZero();

    lb.removeServer(a);
    lb.removeServer(b);
    lb.route(Request.empty());
    assertThat(counter("lbkit.requests", c)).isEqualTo(1);
  }

  @Test
  void anotherServerObjectWithTheSameIdIsReadFromThen() {
    LoadBalancer one = LoadBalancer.builder(List.of(a)).ticker(clock).build();
    bound(one);
    Server again = new Server(a.host(), a.port());
    one.removeServer(a);
    one.addServer(again);
    again.setHealthy(false);
    assertThat(gauge("lbkit.server.healthy", again)).isZero();
    assertThat(registry.find("lbkit.server.healthy").gauges()).hasSize(1);
  }

  @Test
  void gaugesForServersPresentWhenBound() {
    lb.route(Request.empty());
    bound(lb);
    for (String name : GAUGES) {
      assertThat(withGauge(name)).as(name).isEqualTo(ids(List.of(a, b)));
    }
  }

  @Test
  void bindingTheSameRegistryAgainCountsOnce() {
    LoadBalancerMetrics metrics = bound(lb);
    metrics.bindTo(registry);
    lb.route(Request.empty());
    assertThat(counter("lbkit.requests", a) + counter("lbkit.requests", b)).isEqualTo(1);
  }

  @Test
  void twoRegistriesEachCountEverything() {
    LoadBalancerMetrics metrics = bound(lb);
    MeterRegistry other = new SimpleMeterRegistry();
    metrics.bindTo(other);
    lb.route(Request.empty());
    assertThat(other.get("lbkit.requests").counters().stream().mapToDouble(c -> c.count()).sum())
        .isEqualTo(1);
    assertThat(counter("lbkit.requests", a) + counter("lbkit.requests", b)).isEqualTo(1);
  }

  /** A meter Micrometer refuses fails neither the binding, nor the request, nor other meters. */
  @Test
  void aMeterTheRegistryRefusesIsSkippedNotThrown() {
    Gauge.builder("lbkit.requests", () -> 42)
        .tags("balancer", "orders", "server", a.id())
        .register(registry); // a's requests counter cannot be registered now

    bound(lb);
    List<Optional<Server>> routes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      routes.add(lb.route(Request.empty()));
    }

    assertThat(routes).allMatch(Optional::isPresent);
    assertThat(counter("lbkit.requests", b)).isEqualTo(2);
    assertThat(gauge("lbkit.server.healthy", a)).isEqualTo(1);
  }

  /**
   * The race between membership events: several threads add and remove the same servers at once, so
   * their listener calls arrive out of order; the gauges still end up exactly on the members.
   */
  @Test
  void concurrentJoinsAndLeavesLeaveGaugesOnMembersOnly() throws InterruptedException {
    bound(lb);
    List<Server> churn = List.of(new Server("10.0.1.1", 80), new Server("10.0.1.2", 80));
    int threads = 4;
    int rounds = 2_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < rounds; i++) {
                  Server server = churn.get((i + seed) % churn.size());
                  if ((i + seed) % 3 == 0) {
                    lb.removeServer(server);
                  } else {
                    lb.addServer(server);
                  }
                  lb.route(Request.empty());
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    Set<String> members = ids(lb.servers());
    for (String name : GAUGES) {
      assertThat(withGauge(name)).as(name).isEqualTo(members);
    }
    double counted =
        registry.get("lbkit.requests").counters().stream().mapToDouble(c -> c.count()).sum();
    assertThat(counted).as("a and b never leave: every route counted").isEqualTo(threads * rounds);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new LoadBalancerMetrics(null, "x"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("balancer");
    assertThatThrownBy(() -> new LoadBalancerMetrics(lb, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> new LoadBalancerMetrics(lb, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: ' ' (expected: not blank)");
    assertThatThrownBy(() -> new LoadBalancerMetrics(lb, "x").bindTo(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
  }
}
