package dev.lbkit.benchmarks.sim;

import dev.lbkit.benchmarks.MarkdownTable;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The results as text: the table printed and written, the goals, and {@code simulation.md}. */
final class SimulationReport {

  /** Where and when the simulation ran. */
  record RunInfo(ZonedDateTime started, String jdk, int cores, Duration took) {}

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT);

  private SimulationReport() {}

  /** One row per scenario and algorithm: percentiles, success rate, p99 against round robin's. */
  static String table(List<Result> results) {
    List<List<String>> rows = new ArrayList<>();
    for (Result r : results) {
      Optional<Result> rr = find(results, r.scenario().id(), Policy.ROUND_ROBIN);
      rows.add(
          List.of(
              r.scenario().id(),
              r.policy().label(),
              Durations.millis(r.p50Nanos()),
              Durations.millis(r.p99Nanos()),
              Durations.millis(r.p999Nanos()),
              percent(r.successRate()),
              rr.map(base -> ratio(r.p99Nanos() / base.p99Nanos())).orElse("-"),
              Durations.millis((double) r.minP99Nanos())
                  + " - "
                  + Durations.millis((double) r.maxP99Nanos())));
    }
    return MarkdownTable.render(
        List.of(
            "scenario",
            "algorithm",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "success",
            "p99 / RR",
            "p99 ms, min - max of seeds"),
        rows,
        2);
  }

  /**
   * The goals of issue 6 and whether the results meet them; goals whose results are absent are left
   * out.
   */
  static String goals(List<Result> results) {
    List<List<String>> rows = new ArrayList<>();
    find(results, "A", Policy.LEAST_CONNECTIONS).ifPresent(lc -> rows.add(successGoal(lc, 0.994)));
    find(results, "B", Policy.LEAST_CONNECTIONS)
        .ifPresent(lc -> ratioGoal(results, lc, 0.35).ifPresent(rows::add));
    find(results, "B", Policy.POWER_OF_TWO_CHOICES)
        .ifPresent(p2c -> ratioGoal(results, p2c, 0.40).ifPresent(rows::add));
    find(results, "A", Policy.PEAK_EWMA).ifPresent(ewma -> rows.add(successGoal(ewma, 0.999)));
    return MarkdownTable.render(List.of("goal", "measured", "met"), rows, 1);
  }

  private static List<String> successGoal(Result r, double goal) {
    return List.of(
        r.policy().label() + ": success >= " + percent(goal) + " in " + r.scenario().id(),
        percent(r.successRate()),
        r.successRate() >= goal ? "yes" : "NO");
  }

  private static Optional<List<String>> ratioGoal(List<Result> results, Result r, double goal) {
    return find(results, r.scenario().id(), Policy.ROUND_ROBIN)
        .map(
            rr -> {
              double ratio = r.p99Nanos() / rr.p99Nanos();
              return List.of(
                  r.policy().label()
                      + ": p99 <= "
                      + ratio(goal)
                      + " round robin's in "
                      + r.scenario().id(),
                  ratio(ratio)
                      + " ("
                      + Durations.millis(r.p99Nanos())
                      + " / "
                      + Durations.millis(rr.p99Nanos())
                      + " ms)",
                  ratio <= goal ? "yes" : "NO");
            });
  }

  /** The whole of {@code docs/simulation.md}. */
  static String markdown(List<Result> results, RunInfo info) {
    StringBuilder md = new StringBuilder();
    md.append("# Tail-latency simulation\n\n")
        .append("Written by `dev.lbkit.benchmarks.sim.TailLatencySimulation`. Do not edit by hand:")
        .append(" run the command below again. The simulation is seeded and single-threaded, so")
        .append(" every run prints the same numbers; only the date and the run time change.\n\n")
        .append("- **Date:** ")
        .append(DATE.format(info.started()))
        .append("\n- **JDK:** ")
        .append(info.jdk())
        .append("\n- **Machine:** ")
        .append(info.cores())
        .append(" cores; run time ")
        .append(info.took().toSeconds())
        .append(" s\n- **Command** (from the repository root; the first line builds the benchmarks")
        .append(" jar):\n\n```sh\n")
        .append(TailLatencySimulation.BUILD)
        .append('\n')
        .append(TailLatencySimulation.COMMAND)
        .append("\n```\n\n")
        .append("![p99 latency per algorithm, scenarios A and B](simulation-p99.svg)\n\n")
        .append("## Results\n\n")
        .append("Mean over the seeds of each run's exact percentiles and success rate (latencies")
        .append(" of every request, sorted; nearest rank). `p99 / RR` divides the mean p99 by")
        .append(" round robin's in the same scenario.\n\n")
        .append(table(results))
        .append("\n## Goals\n\n")
        .append(
            "From issue 6. Measured by this run; the scenarios were not tuned to meet them.\n\n")
        .append(goals(results))
        .append("\n## Scenarios\n\n");
    List<Scenario> seen = new ArrayList<>();
    for (Result r : results) {
      Scenario s = r.scenario();
      if (seen.stream().noneMatch(x -> x.id().equals(s.id()))) {
        seen.add(s);
        md.append("**")
            .append(s.id())
            .append(": ")
            .append(s.title())
            .append(".** ")
            .append(s.definition())
            .append(" Seeds 1 to ")
            .append(s.seeds())
            .append("; ")
            .append(String.format(Locale.ROOT, "%,d", r.requests()))
            .append(" requests per algorithm in all.\n\n");
      }
    }
    md.append("## Algorithms\n\n")
        .append("The library's own classes, not copies. Round robin, random, least connections and")
        .append(" P2C are the `LoadBalancer` facade with that `Algorithm`, the simulated clock as")
        .append(" its `Ticker` and a seeded random source; each request takes a `Lease` with")
        .append(" `acquire`, closed when its response arrives, so the facade counts every call in")
        .append(" flight (queued or in service). Least connections scans all servers, ties in")
        .append(" round-robin order; P2C takes the less loaded of two distinct random servers.")
        .append(" Peak EWMA is `PeakEwma` (P2C over latency estimate x (active calls + 1), the")
        .append(
            " estimate jumping to higher latencies and decaying with a 10 s time constant, as in")
        .append(" Finagle and Linkerd), counted with `connect`/`disconnect` and fed each call's")
        .append(" latency by `observe`.\n\n")
        .append("## Reading the results\n\n")
        .append("- **A, round robin and random** do not look at load or latency: backend 0 keeps")
        .append(" its 1/11 of the requests, and for half the run every one of them takes 2 s. That")
        .append(" is 1/22, about 4.5% of all requests, so p99 is 2 s.\n")
        .append("- **A, least connections and P2C** count calls in flight. A stuck backend's calls")
        .append(" pile up, so it is picked only while it has no more in flight than the others")
        .append(
            " (about 1,000/s x 167 ms / 10, some 17 each). It still holds about that many calls,")
        .append(
            " each taking 2 s: some 8 or 9 requests a second fail for 30 s, about 0.5% of the run.")
        .append(" p99 stays healthy; p99.9 is 2 s.\n")
        .append("- **A, peak EWMA** learns the latency: once backend 0's first 2 s answer is")
        .append(" observed its cost is 2 s x (calls in flight + 1), more than a healthy backend's")
        .append(
            " 167 ms x (17 + 1) as soon as it has one call in flight, so it gets about one call")
        .append(
            " at a time. About half of what it still loses are the calls it took in the first 2 s")
        .append(" of the stall, before any slow answer came back.\n")
        .append("- **B, round robin** gives the slow backend a tenth of the load: 60 requests/s at")
        .append(
            " 15 ms is 90% utilization, and its queue makes the tail. Random does the same with")
        .append(
            " bursty (Poisson) arrivals at every backend, where round robin's are regular, so it")
        .append(" is worse. Least connections sends each request to a shortest queue; P2C to the")
        .append(
            " shorter of two, close behind; peak EWMA weighs the calls in flight by recent latency,")
        .append(" which in queues mostly repeats what the queue length already says.\n\n")
        .append("## Method\n\n")
        .append(
            "- A discrete-event loop on simulated nanoseconds (`EventLoop`): events run in time")
        .append(" order, ties in the order scheduled.\n")
        .append("- Arrivals are a Poisson process (exponential gaps) over the scenario's duration;")
        .append(" the run continues until the last request completes, and every request counts.\n")
        .append(
            "- Each seed splits into three `SplittableRandom` streams: arrivals, each request's")
        .append(" work (drawn before routing) and the algorithm's draws. So every algorithm meets")
        .append(" the same arrivals and the same work for a given seed.\n")
        .append("- Percentiles are exact: the p-th percentile of n sorted latencies is the one at")
        .append(" rank ceil(n p). Values are means over the seeds; the last column shows the")
        .append(" spread of p99 between seeds.\n");
    return md.toString();
  }

  static Optional<Result> find(List<Result> results, String scenarioId, Policy policy) {
    return results.stream()
        .filter(r -> r.scenario().id().equals(scenarioId) && r.policy() == policy)
        .findFirst();
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.3f%%", share * 100);
  }

  private static String ratio(double ratio) {
    return String.format(Locale.ROOT, "%.2fx", ratio);
  }
}
