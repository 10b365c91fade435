package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.PrequalConfig;
import dev.lbkit.core.ServerPicker;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A balancing algorithm under test: a name for tables and a {@link Router} for each client. Every
 * client gets its own router over its own servers, so a router knows only what its client sent and
 * heard (unless it reads the {@link FleetView}, as an oracle or a probe does).
 *
 * <pre>{@code
 * Policy.of(Algorithm.POWER_OF_TWO_CHOICES)                    // the LoadBalancer facade
 * Policy.of("P2C of 3", Algorithm.POWER_OF_TWO_CHOICES, b -> b.choices(3))
 * Policy.picker("mine", c -> new MyPicker(c.initialMembers(), c.random()))  // your own ServerPicker
 * }</pre>
 */
public interface Policy {

  /** The name in tables and charts. */
  String name();

  /** Returns a fresh router for {@code client}. */
  Router router(Client client);

  /**
   * The {@link LoadBalancer} facade with {@code algorithm}, on the simulated clock and the client's
   * random stream: each request takes a lease with {@code acquire}, closed when its response
   * arrives (failed if the server refused it), so the facade counts the client's calls in flight
   * and latency-aware algorithms learn each call's latency.
   */
  static Policy of(Algorithm algorithm) {
    return of(FacadeRouter.label(algorithm), algorithm, UnaryOperator.identity());
  }

  /**
   * The facade with {@code algorithm} and the builder options {@code options} sets (such as {@code
   * b -> b.choices(3)}), named {@code name}.
   */
  static Policy of(String name, Algorithm algorithm, UnaryOperator<LoadBalancer.Builder> options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(options, "options");
    return named(name, client -> new FacadeRouter(client, algorithm, options));
  }

  /** The default one-way network delay of a simulated Prequal probe: 100 microseconds. */
  Duration PROBE_ONE_WAY = Duration.ofNanos(100_000);

  /**
   * The facade with {@link Algorithm#PREQUAL} and the paper's defaults ({@link PrequalConfig}),
   * probing servers over a simulated network of {@link #PROBE_ONE_WAY} each way: a probe reads the
   * server's {@link dev.lbkit.core.LoadReporter} when it arrives, and its answer joins the pool
   * when it comes back. Probes start on the picking thread ({@code executor(Runnable::run)}), as
   * the simulation has one thread.
   */
  static Policy prequal() {
    return prequal("Prequal", UnaryOperator.identity(), PROBE_ONE_WAY);
  }

  /**
   * Prequal with the settings {@code config} sets on top of the defaults (the probe and the
   * executor are the simulation's), probes taking {@code oneWay} each way.
   */
  static Policy prequal(String name, UnaryOperator<PrequalConfig.Builder> config, Duration oneWay) {
    Objects.requireNonNull(config, "config");
    long delay = Objects.requireNonNull(oneWay, "oneWay").toNanos();
    if (delay < 0) {
      throw new IllegalArgumentException("oneWay: " + oneWay + " (expected: >= 0)");
    }
    return named(
        name,
        client -> {
          PrequalConfig settings =
              config
                  .apply(PrequalConfig.builder(new SimulatedProbe(client, delay)))
                  .executor(Runnable::run)
                  .build();
          return new FacadeRouter(client, Algorithm.PREQUAL, b -> b.prequal(settings));
        });
  }

  /**
   * Your own {@link ServerPicker}, one per client from {@code factory}: each call is counted on the
   * picked server's {@link dev.lbkit.core.Server#activeConnections()} from pick to response, as a
   * lease would.
   */
  static Policy picker(String name, PickerFactory factory) {
    Objects.requireNonNull(factory, "factory");
    return named(name, client -> new PickerRouter(client, factory.picker(client)));
  }

  /**
   * The bound no product reaches: every request to the server that will finish it soonest by the
   * true state, the member with the lowest (requests in flight + 1) x mean work / (cores x current
   * speed), ties at random. It sees every client's requests and every slowdown.
   */
  static Policy oracle() {
    return named("oracle (global least loaded)", OracleRouter::new);
  }

  /**
   * The supermarket model's rule: the shortest true queue of {@code choices} members sampled
   * uniformly with replacement (1 is random routing), or of all members when {@code choices} is at
   * least their number (join the shortest queue); ties go to the first sampled, or at random.
   *
   * @throws IllegalArgumentException if {@code choices} is below 1
   */
  static Policy shortestOf(int choices) {
    if (choices < 1) {
      throw new IllegalArgumentException("choices: " + choices + " (expected: >= 1)");
    }
    return named(
        choices == Integer.MAX_VALUE
            ? "join the shortest queue"
            : "shortest of " + choices + " sampled queues",
        client -> new ShortestQueueRouter(client, choices));
  }

  /** A policy named {@code name} whose routers {@code routers} makes. */
  static Policy named(String name, RouterFactory routers) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(routers, "routers");
    return new Policy() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Router router(Client client) {
        return routers.router(client);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  /** Makes one client's router. */
  @FunctionalInterface
  interface RouterFactory {
    /** Returns a router for {@code client}. */
    Router router(Client client);
  }

  /** Makes one client's picker. */
  @FunctionalInterface
  interface PickerFactory {
    /**
     * Returns a picker over {@code client}'s {@link Client#initialMembers()} (servers that join
     * later are added with {@link ServerPicker#setServers}).
     */
    ServerPicker picker(Client client);
  }
}
