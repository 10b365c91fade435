package dev.lbkit.benchmarks.sim;

import dev.lbkit.benchmarks.Machine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the tail-latency simulation: scenarios A (Linkerd's stuck backend) and B (heterogeneous
 * queues), every {@link Policy} on each, five seeds each; prints the results table and writes
 * {@code simulation.md} and {@code simulation-p99.svg} into {@code docs/} (or the directory given
 * with {@code --out-dir}). Deterministic: every run prints the same numbers. About half a minute on
 * 2 cores.
 *
 * <pre>{@code
 * java -cp lb-benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.sim.TailLatencySimulation
 * }</pre>
 */
public final class TailLatencySimulation {

  static final String BUILD = "mvn -B -q -pl lb-benchmarks -am package -DskipTests";

  static final String COMMAND =
      "java -cp lb-benchmarks/target/benchmarks.jar"
          + " dev.lbkit.benchmarks.sim.TailLatencySimulation";

  private static final String USAGE = "usage: TailLatencySimulation [--out-dir DIR]";

  private TailLatencySimulation() {}

  /** Runs the simulation and writes the report; exits with status 2 on a bad argument. */
  public static void main(String[] args) throws IOException {
    Path outDir = Path.of("docs");
    if (args.length == 2 && args[0].equals("--out-dir")) {
      outDir = Path.of(args[1]);
    } else if (args.length != 0) {
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    long startNanos = System.nanoTime();
    List<Result> results =
        simulate(List.of(StuckBackendScenario.published(), QueueingScenario.published()));
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    System.out.print(SimulationReport.table(results));
    System.out.println();
    System.out.print(SimulationReport.goals(results));

    Machine machine = Machine.current();
    SimulationReport.RunInfo info =
        new SimulationReport.RunInfo(started, machine.jdk(), machine.cores(), took);
    Files.createDirectories(outDir);
    Path markdown = outDir.resolve("simulation.md");
    Path chart = outDir.resolve("simulation-p99.svg");
    Files.writeString(markdown, SimulationReport.markdown(results, info), StandardCharsets.UTF_8);
    Files.writeString(chart, P99Chart.svg(results), StandardCharsets.UTF_8);
    System.out.println();
    System.out.println("Wrote " + markdown + " and " + chart + " in " + took.toSeconds() + " s");
  }

  /** Runs every policy on every scenario, seeds 1 to {@code scenario.seeds()}. */
  static List<Result> simulate(List<Scenario> scenarios) {
    List<Result> results = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      for (Policy policy : Policy.values()) {
        List<LatencySummary> runs = new ArrayList<>();
        for (long seed = 1; seed <= scenario.seeds(); seed++) {
          runs.add(SimulationRun.run(scenario, policy, seed));
        }
        results.add(new Result(scenario, policy, runs));
      }
    }
    return results;
  }
}
