package dev.lbkit.core;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Publishes a {@link LoadBalancer}'s counters as Micrometer meters. Micrometer is an optional
 * dependency of lbkit: only this class uses it, so a service without Micrometer on its class path
 * never loads it and pays nothing.
 *
 * <pre>{@code
 * new LoadBalancerMetrics(lb, "orders").bindTo(registry);
 * }</pre>
 *
 * <p>Meters, each tagged {@code balancer} and (per server) {@code server} (the server's id):
 *
 * <ul>
 *   <li>{@code lbkit.requests} (counter): requests routed and leases granted
 *   <li>{@code lbkit.lease.errors} (counter): leases closed with a failure
 *   <li>{@code lbkit.lease} (timer, tagged {@code outcome=success|failure}): lease durations
 *   <li>{@code lbkit.connections.active} (gauge): active connections
 *   <li>{@code lbkit.server.healthy}, {@code lbkit.server.draining}, {@code lbkit.server.ejected}
 *       (gauges, 1 or 0)
 *   <li>{@code lbkit.rejected} (counter, per balancer): requests with no admissible server
 * </ul>
 *
 * Counters and gauges read the balancer's own counters when the registry is scraped; the timer is
 * fed by a listener. Servers added to the balancer later get their meters on their first request.
 * Tags carry server ids only, never request contents.
 */
// Micrometer is optional, so the module does not re-export it: users who call this have it anyway.
@SuppressWarnings("exports")
public final class LoadBalancerMetrics implements MeterBinder {

  private final LoadBalancer balancer;
  private final String name;
  private final Map<String, Boolean> bound = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private volatile @Nullable MeterRegistry registry;

  /**
   * Creates a binder for {@code balancer}, whose meters carry the tag {@code balancer=name}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public LoadBalancerMetrics(LoadBalancer balancer, String name) {
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: '" + name + "' (expected: not blank)");
    }
    this.name = name;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    this.registry = registry;
    FunctionCounter.builder("lbkit.rejected", balancer, lb -> lb.stats().rejected())
        .description("requests that found no admissible server")
        .tags("balancer", name)
        .register(registry);
    for (Server server : balancer.servers()) {
      bindServer(registry, server);
    }
    balancer.addListener(
        new LoadBalancerListener() {
          @Override
          public void onRouted(Request request, Server server) {
            if (!bound.containsKey(server.id())) {
              bindServer(registry, server);
            }
          }

          @Override
          public void onLeaseClosed(
              Request request, Server server, long latencyNanos, @Nullable Throwable failure) {
            timer(registry, server, failure == null ? "success" : "failure")
                .record(latencyNanos, TimeUnit.NANOSECONDS);
          }
        });
  }

  private void bindServer(MeterRegistry registry, Server server) {
    if (bound.putIfAbsent(server.id(), Boolean.TRUE) != null) {
      return;
    }
    Backend backend = balancer.backend(server);
    if (backend == null) {
      bound.remove(server.id());
      return;
    }
    Tags tags = Tags.of("balancer", name, "server", server.id());
    FunctionCounter.builder("lbkit.requests", backend, b -> b.requests.sum())
        .description("requests routed and leases granted")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder("lbkit.lease.errors", backend, b -> b.errors.sum())
        .description("leases closed with a failure")
        .tags(tags)
        .register(registry);
    Gauge.builder("lbkit.connections.active", server, Server::activeConnections)
        .description("active connections")
        .tags(tags)
        .register(registry);
    Gauge.builder("lbkit.server.healthy", server, s -> s.isHealthy() ? 1 : 0)
        .description("1 when the server is healthy")
        .tags(tags)
        .register(registry);
    Gauge.builder("lbkit.server.draining", backend, b -> b.draining ? 1 : 0)
        .description("1 while the server drains")
        .tags(tags)
        .register(registry);
    Gauge.builder("lbkit.server.ejected", server, s -> balancer.isEjected(s) ? 1 : 0)
        .description("1 while the server is ejected")
        .tags(tags)
        .register(registry);
  }

  private Timer timer(MeterRegistry registry, Server server, String outcome) {
    return timers.computeIfAbsent(
        server.id() + '\0' + outcome,
        k ->
            Timer.builder("lbkit.lease")
                .description("how long leases were held")
                .tags("balancer", name, "server", server.id(), "outcome", outcome)
                .register(registry));
  }

  @Override
  public String toString() {
    return "LoadBalancerMetrics{" + name + (registry == null ? "" : ", bound") + "}";
  }
}
