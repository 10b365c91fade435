package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.SlowStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The published scenarios, A to E. Their parameters were fixed before any of them ran and are not
 * tuned to meet the goals; {@code scale} shortens every run (1 is as published) for quick checks.
 */
final class Scenarios {

  static final Duration SUCCESS_WITHIN = Duration.ofSeconds(1);

  private Scenarios() {}

  static Scenario byId(String id, double scale) {
    return switch (id) {
      case "A" -> stuckBackend(scale);
      case "B" -> unequalQueues(scale);
      case "C" -> manyClients(scale);
      case "D" -> antagonists(scale);
      case "E" -> slowStart(scale);
      default ->
          throw new IllegalArgumentException(
              "scenario: " + id + " (expected one of: A, B, C, D, E)");
    };
  }

  /** The policies of A and B: the facade algorithms the first simulator compared. */
  static List<Policy> classic() {
    return List.of(
        Policy.of(Algorithm.ROUND_ROBIN),
        Policy.of(Algorithm.RANDOM),
        Policy.of(Algorithm.LEAST_CONNECTIONS),
        Policy.of(Algorithm.POWER_OF_TWO_CHOICES),
        Policy.of(Algorithm.PEAK_EWMA));
  }

  /** The policies of C and D. */
  static List<Policy> manyClientPolicies() {
    return List.of(
        Policy.of(Algorithm.ROUND_ROBIN),
        Policy.of(Algorithm.LEAST_CONNECTIONS),
        Policy.of(Algorithm.POWER_OF_TWO_CHOICES),
        Policy.of(Algorithm.PEAK_EWMA),
        Policy.of(Algorithm.WEIGHTED_LEAST_REQUEST),
        Policy.prequal(),
        Policy.oracle());
  }

  private static Duration seconds(double s, double scale) {
    return Duration.ofMillis(Math.max(1, Math.round(s * scale * 1000)));
  }

  /** A: Linkerd's stuck backend. */
  static Scenario stuckBackend(double scale) {
    Duration duration = seconds(60, scale);
    Duration from = duration.dividedBy(4);
    Duration until = duration.dividedBy(4).multipliedBy(3);
    double factor = 167.0 / 2000;
    ServerSpec healthy =
        ServerSpec.unlimited(ServiceTime.normal(Duration.ofMillis(167), Duration.ofMillis(5)));
    Fleet fleet =
        Fleet.builder()
            .add(healthy.slowdown(new Slowdown(from, until, factor)))
            .add(10, healthy)
            .build();
    Simulation base = base(fleet, 1_000, duration).build();
    return new Scenario(
        "A",
        "one of 11 backends stuck at 2 s",
        String.format(
            Locale.ROOT,
            "11 backends with unlimited concurrency (infinite servers: latency does not depend"
                + " on load), each request N(167 ms, 5 ms) of work. Poisson arrivals at 1,000"
                + " requests/s for %s from one client. Backend 0 runs at 167/2000 of its speed from"
                + " %s to %s, so its requests take about 2 s (Linkerd's stuck backend; requests in"
                + " service when the stall starts or ends are slowed for the part that overlaps)."
                + " Success: answered within 1 s.",
            format(duration),
            format(from),
            format(until)),
        cases(base, classic(), ""),
        5);
  }

  /** B: ten FIFO queues, one 1.5x slower. */
  static Scenario unequalQueues(double scale) {
    ServerSpec fast = ServerSpec.fifo(ServiceTime.exponential(Duration.ofMillis(10)));
    Fleet fleet = Fleet.builder().add(fast.speed(10.0 / 15)).add(9, fast).build();
    Duration duration = seconds(2_000, scale);
    Simulation base = base(fleet, 600, duration).build();
    return new Scenario(
        "B",
        "10 FIFO queues, one 1.5x slower, 62% load",
        String.format(
            Locale.ROOT,
            "10 single-core FIFO servers with exponential service: nine with a mean of 10 ms,"
                + " backend 0 with 15 ms (capacity about 967 requests/s). Poisson arrivals at 600"
                + " requests/s (62%% of capacity) for %s from one client. Success: within 1 s.",
            format(duration)),
        cases(base, classic(), ""),
        5);
  }

  /** The fleet server of C, D and E: 4 cores shared by processor sharing, 20 ms of work. */
  static ServerSpec pooled() {
    return ServerSpec.processorSharing(ServiceTime.exponential(Duration.ofMillis(20))).cores(4);
  }

  /** C: 20 clients, 50 servers, half of them 2x slower, at three loads. */
  static Scenario manyClients(double scale) {
    Fleet fleet = Fleet.builder().add(25, pooled().weight(2)).add(25, pooled().speed(0.5)).build();
    Duration duration = seconds(30, scale);
    List<Scenario.Case> cases = new ArrayList<>();
    for (double load : new double[] {0.70, 0.85, 0.95}) {
      Simulation base =
          base(fleet, load * fleet.capacityPerSecond(), duration)
              .clients(20)
              .warmup(seconds(5, scale))
              .build();
      cases.addAll(cases(base, manyClientPolicies(), percent(load)));
    }
    return new Scenario(
        "C",
        "20 clients, 50 servers, half 2x slower",
        String.format(
            Locale.ROOT,
            "50 servers, each 4 cores shared by processor sharing (a request runs at full speed"
                + " while the server holds at most 4), exponential work of mean 20 ms: 25 at full"
                + " speed (weight 2, 200 requests/s each) and 25 at half speed (weight 1, 100/s);"
                + " capacity 7,500 requests/s. 20 clients, each with its own balancer over its own"
                + " `Server` objects (so each sees only its own calls in flight), each request from"
                + " a client drawn at random. Poisson arrivals at 70%%, 85%% and 95%% of capacity"
                + " for %s, the first %s not measured. Prequal probes take 100 us each way."
                + " Success: within 1 s.",
            format(duration),
            format(seconds(5, scale))),
        cases,
        3);
  }

  /** D: antagonists slow each server to 40% for random periods. */
  static Scenario antagonists(double scale) {
    Antagonist antagonist =
        new Antagonist(0.4, Duration.ofMillis(10_000), Duration.ofMillis(2_500));
    Fleet fleet = Fleet.of(50, pooled().antagonist(antagonist));
    Duration duration = seconds(60, scale);
    double load = 0.70;
    Simulation base =
        base(fleet, load * fleet.capacityPerSecond(), duration)
            .clients(20)
            .warmup(seconds(10, scale))
            .build();
    return new Scenario(
        "D",
        "antagonists: servers drop to 40% speed at random",
        String.format(
            Locale.ROOT,
            "50 servers like C's full-speed ones (4 cores, processor sharing, 20 ms of work; 10,000"
                + " requests/s in all), each slowed by an antagonist the clients cannot see: it"
                + " runs normally for exponential periods of mean 10 s and at 40%% speed for"
                + " exponential periods of mean 2.5 s (20%% of the time; mean capacity 88%%). 20"
                + " clients as in C. Poisson arrivals at 70%% of nominal capacity (80%% of the mean"
                + " capacity) for %s, the first %s not measured. Success: within 1 s.",
            format(duration),
            format(seconds(10, scale))),
        cases(base, manyClientPolicies(), ""),
        3);
  }

  /** E: a cold backend joins a loaded fleet, with and without slow start. */
  static Scenario slowStart(double scale) {
    Duration joinAt = seconds(30, scale);
    Duration cold = seconds(30, scale);
    Fleet fleet =
        Fleet.builder().add(10, pooled()).add(pooled().joinAt(joinAt).warmup(cold, 0.1)).build();
    Duration duration = seconds(90, scale);
    Simulation base =
        base(fleet, 0.70 * fleet.capacityPerSecond(), duration)
            .clients(20)
            .warmup(seconds(10, scale))
            .window(joinAt, joinAt.plus(cold), 10)
            .build();
    SlowStart ramp = SlowStart.of(cold);
    List<Scenario.Case> cases = new ArrayList<>();
    Algorithm[] weighted = {
      Algorithm.ROUND_ROBIN, Algorithm.WEIGHTED_ROUND_ROBIN, Algorithm.WEIGHTED_LEAST_REQUEST
    };
    for (Algorithm a : weighted) {
      cases.add(new Scenario.Case("without", base.with(Policy.of(a))));
    }
    for (Algorithm a : weighted) {
      String name = FacadeRouter.label(a);
      cases.add(
          new Scenario.Case("slow start", base.with(Policy.of(name, a, b -> b.slowStart(ramp)))));
    }
    return new Scenario(
        "E",
        "a cold backend joins a loaded fleet",
        String.format(
            Locale.ROOT,
            "10 servers like C's full-speed ones (2,000 requests/s in all), 20 clients, Poisson"
                + " arrivals at 1,400 requests/s (70%%) for %s. At %s an 11th server joins every"
                + " client's balancer; it runs at 10%% speed for its first %s (a cold JVM), then at"
                + " full speed. Measured: the p99 of the requests sent to the new server that"
                + " arrive while it is cold, without and with slow start (`SlowStart.of(%s)`,"
                + " Envoy's defaults: aggression 1, minimum weight 10%%).",
            format(duration),
            format(joinAt),
            format(cold),
            format(cold)),
        cases,
        5);
  }

  /** A simulation of {@code fleet} under Poisson arrivals, success within 1 s; policy to set. */
  private static Simulation.Builder base(Fleet fleet, double perSecond, Duration duration) {
    return Simulation.builder()
        .fleet(fleet)
        .arrivals(Arrivals.poisson(perSecond))
        .policy(Policy.oracle())
        .duration(duration)
        .successWithin(SUCCESS_WITHIN);
  }

  private static List<Scenario.Case> cases(Simulation base, List<Policy> policies, String group) {
    List<Scenario.Case> cases = new ArrayList<>();
    for (Policy p : policies) {
      cases.add(new Scenario.Case(group, base.with(p)));
    }
    return cases;
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", share * 100);
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0
        ? String.format(Locale.ROOT, "%,d s", ms / 1000)
        : String.format(Locale.ROOT, "%,.3f s", ms / 1000.0);
  }
}
