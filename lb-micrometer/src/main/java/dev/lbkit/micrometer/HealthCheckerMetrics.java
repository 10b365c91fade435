package dev.lbkit.micrometer;

import dev.lbkit.core.Server;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.HealthState;
import dev.lbkit.health.ProbeResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes what a {@link HealthChecker} sees as Micrometer meters.
 *
 * <pre>{@code
 * new HealthCheckerMetrics(checker, "workers").bindTo(registry);
 * }</pre>
 *
 * <p>Meters, each tagged {@code checker} (the name given here) and, per server, {@code server} (the
 * server's id):
 *
 * <ul>
 *   <li>{@code lbkit.health.transitions} (counter, tagged {@code direction=up|down}): health
 *       transitions the checker decided
 *   <li>{@code lbkit.health.probes} (counter, tagged {@code outcome=passed|failed}): probe results
 *       recorded, by a round or a {@code check()}
 *   <li>{@code lbkit.health.probe} (timer, tagged {@code outcome}): how long probes took, on the
 *       checker's ticker (a timed-out probe counts about its timeout)
 *   <li>{@code lbkit.health.servers} (gauge, per checker, tagged {@code state=up|down}): the
 *       watched servers the checker holds healthy and unhealthy
 * </ul>
 *
 * <p>Counters and timers are fed by the checker's {@code onProbe} and {@code onTransition}
 * listeners, on its callback threads, so they count from {@link #bindTo} on. The listeners are
 * added on the first bind and feed every registry bound since; a checker cannot drop a listener, so
 * a binder lives as long as its checker. Each event costs one registry look-up per meter (probes
 * come every few seconds per server, not per request). The gauges read the checker's watch list
 * when scraped: O(n) for n watched servers.
 *
 * <p>Thread-safe. A meter Micrometer refuses is logged and skipped; nothing here throws into the
 * checker. Binding to the same registry again does nothing.
 */
public final class HealthCheckerMetrics implements MeterBinder {

  private static final System.Logger LOG = System.getLogger(HealthCheckerMetrics.class.getName());

  private final HealthChecker checker;
  private final String name;
  private final Set<MeterRegistry> registries = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean listening = new AtomicBoolean();
  private final AtomicBoolean warned = new AtomicBoolean();

  /**
   * Creates a binder for {@code checker}, whose meters carry the tag {@code checker=name}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public HealthCheckerMetrics(HealthChecker checker, String name) {
    this.checker = Objects.requireNonNull(checker, "checker");
    this.name = MeterNames.checkName(name);
  }

  /**
   * Registers the gauges in {@code registry} and feeds its counters and timers from now on.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (!registries.add(registry)) {
      return;
    }
    gauge(registry, "up", true);
    gauge(registry, "down", false);
    if (listening.compareAndSet(false, true)) {
      checker.onProbe(this::probed);
      checker.onTransition((server, from, to, result) -> transition(server, to));
    }
  }

  private void gauge(MeterRegistry registry, String state, boolean healthy) {
    try {
      Gauge.builder("lbkit.health.servers", checker, c -> count(c, healthy))
          .description("watched servers by the checker's view of their health")
          .tag("checker", name)
          .tag("state", state)
          .register(registry);
    } catch (RuntimeException e) {
      MeterNames.failed(LOG, warned, "health checker '" + name + "'", "registering a gauge", e);
    }
  }

  private static double count(HealthChecker checker, boolean healthy) {
    int n = 0;
    for (Server server : checker.watched()) {
      HealthState state = checker.state(server);
      if (state.healthy() == healthy) {
        n++;
      }
    }
    return n;
  }

  private void probed(Server server, ProbeResult result, long latencyNanos) {
    String outcome = result.isPassed() ? "passed" : "failed";
    for (MeterRegistry registry : registries) {
      try {
        Counter.builder("lbkit.health.probes")
            .description("probe results recorded")
            .tag("checker", name)
            .tag("server", server.id())
            .tag("outcome", outcome)
            .register(registry)
            .increment();
        Timer.builder("lbkit.health.probe")
            .description("how long probes took")
            .tag("checker", name)
            .tag("server", server.id())
            .tag("outcome", outcome)
            .register(registry)
            .record(Math.max(0, latencyNanos), TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) {
        MeterNames.failed(LOG, warned, "health checker '" + name + "'", "counting a probe", e);
      }
    }
  }

  private void transition(Server server, HealthState to) {
    for (MeterRegistry registry : registries) {
      try {
        Counter.builder("lbkit.health.transitions")
            .description("health transitions")
            .tag("checker", name)
            .tag("server", server.id())
            .tag("direction", to.healthy() ? "up" : "down")
            .register(registry)
            .increment();
      } catch (RuntimeException e) {
        MeterNames.failed(LOG, warned, "health checker '" + name + "'", "counting a transition", e);
      }
    }
  }

  @Override
  public String toString() {
    return "HealthCheckerMetrics{" + name + ", " + registries.size() + " registries}";
  }
}
