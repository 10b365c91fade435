package dev.lbkit.benchmarks.sim;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The simulator's command line.
 *
 * <pre>{@code
 * java -cp lb-benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.sim.Simulate <scenario> [--key value ...]
 * }</pre>
 *
 * Run it with {@code --help} for the scenarios and their options. Exit status 0 on success, 2 on a
 * bad scenario or option (with a message naming it on standard error).
 */
public final class Simulate {

  static final String USAGE =
      """
      usage: Simulate <scenario> [--key value ...]

      scenarios:
        supermarket  N FIFO servers, exponential service of mean 1, Poisson arrivals at
                     lambda x N, each request to the shortest of D uniformly sampled queues.
                     Prints mean_sojourn=<value> p99_sojourn=<value> (units of the mean
                     service time) as its last line.
                       --servers N (1000)  --lambda L (0.9)  --choices D|all (2)
                       --seconds S (20000)  --warmup W (S/10)  --seed K (1)
        mm1          One FIFO server, exponential service of mean 1 (10 ms), Poisson arrivals
                     at lambda: mean and p99 sojourn against 1/(1-lambda) and ln(100)/(1-lambda).
                     Prints mean_sojourn=<value> p99_sojourn=<value> as its last line.
                       --lambda L (0.8)  --seconds S (1000000)  --warmup W (S/100)  --seed K (1)
        validate     M/M/1 at lambda 0.5, 0.8, 0.9 and the supermarket at N=1000 for lambda in
                     {0.5, 0.7, 0.8, 0.9, 0.95} and D in {1, 2, 3} against theory (3% tolerance).
                       --scale X (1): multiplies every run's length
        A B C D E    The published scenarios (docs/simulation.md): results table, goals, chart.
                       --scale X (1): multiplies every run's length
                       --seeds N (the scenario's): seeds 1 to N
        scenarios    A to E in turn, same options.
      """;

  private Simulate() {}

  /** Runs the command; exits with status 2 on a bad argument. */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the command, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(USAGE);
      return 2;
    }
    if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(USAGE);
      return 0;
    }
    try {
      switch (args[0]) {
        case "supermarket" -> supermarket(args, out);
        case "mm1" -> mm1(args, out);
        case "validate" -> validate(args, out);
        case "A", "B", "C", "D", "E" -> scenarios(List.of(args[0]), args, out);
        case "scenarios" -> scenarios(List.of("A", "B", "C", "D", "E"), args, out);
        default ->
            throw new IllegalArgumentException(
                "scenario: "
                    + args[0]
                    + " (expected one of: supermarket, mm1, validate, A, B, C, D, E, scenarios;"
                    + " see --help)");
      }
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("Simulate: " + e.getMessage());
      return 2;
    }
  }

  /** The fixed point's mean sojourn, M/M/1's for one server, "-" for join the shortest queue. */
  private static String theory(int servers, double lambda, int choices) {
    if (servers == 1) {
      return String.format(Locale.ROOT, "%.4f", Theory.mm1Mean(lambda, 1));
    }
    if (choices == Integer.MAX_VALUE) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.4f", Theory.supermarketMean(lambda, choices));
  }

  private static void supermarket(String[] args, PrintStream out) {
    Options o =
        Options.parse(args, 1, Set.of("servers", "lambda", "choices", "seconds", "warmup", "seed"));
    int servers = o.integer("servers", 1000, 1, 10_000_000);
    double lambda = o.number("lambda", 0.9, 0, 1);
    String d = o.text("choices", "2");
    int choices;
    if (d.equals("all")) {
      choices = Integer.MAX_VALUE;
    } else {
      choices = o.integer("choices", 2, 1, Integer.MAX_VALUE - 1);
    }
    Duration seconds = o.seconds("seconds", Duration.ofSeconds(20_000));
    Duration warmup = o.seconds("warmup", seconds.dividedBy(10));
    if (warmup.compareTo(seconds) >= 0) {
      throw Options.bad("warmup", String.valueOf(warmup.toNanos() / 1e9), "less than --seconds");
    }
    long seed = o.longValue("seed", 1);
    RunResult r = Supermarket.of(servers, lambda, choices, seconds, warmup).run(seed);
    double unit = Supermarket.UNIT.toNanos();
    out.printf(
        Locale.ROOT,
        "supermarket: servers=%d lambda=%s choices=%s seconds=%s warmup=%s seed=%d"
            + " requests=%d theory_mean=%s%n",
        servers,
        lambda,
        d,
        seconds.toNanos() / 1e9,
        warmup.toNanos() / 1e9,
        seed,
        r.latency().answered(),
        theory(servers, lambda, choices));
    out.printf(
        Locale.ROOT,
        "mean_sojourn=%.4f p99_sojourn=%.4f%n",
        r.latency().meanNanos() / unit,
        r.latency().p99Nanos() / unit);
  }

  private static void mm1(String[] args, PrintStream out) {
    Options o = Options.parse(args, 1, Set.of("lambda", "seconds", "warmup", "seed"));
    double lambda = o.number("lambda", 0.8, 0, 1);
    double seconds = o.number("seconds", 1_000_000, 0, 1e12);
    double warmup = o.number("warmup", seconds / 100, -1, seconds);
    long seed = o.longValue("seed", 1);
    List<Validation.Check> checks = Validation.mm1(lambda, seconds, Math.max(0, warmup), seed);
    out.print(Validation.table(checks));
    out.printf(
        Locale.ROOT,
        "mean_sojourn=%.4f p99_sojourn=%.4f%n",
        checks.get(0).measured(),
        checks.get(1).measured());
  }

  private static void validate(String[] args, PrintStream out) {
    Options o = Options.parse(args, 1, Set.of("scale"));
    double scale = o.number("scale", 1, 0, 1e6);
    long start = System.nanoTime();
    List<Validation.Check> checks = new ArrayList<>(Validation.mm1(scale));
    checks.addAll(Validation.supermarket(scale));
    out.print(Validation.table(checks));
    long failed = checks.stream().filter(c -> !c.passes()).count();
    double worst = checks.stream().mapToDouble(c -> Math.abs(c.error())).max().orElse(0);
    out.printf(
        Locale.ROOT,
        "%ncases=%d within_3%%=%d largest_error=%.2f%% took=%ds%n",
        checks.size(),
        checks.size() - failed,
        worst * 100,
        (System.nanoTime() - start) / 1_000_000_000L);
  }

  private static void scenarios(List<String> ids, String[] args, PrintStream out) {
    Options o = Options.parse(args, 1, Set.of("scale", "seeds"));
    double scale = o.number("scale", 1, 0, 1e6);
    for (String id : ids) {
      Scenario scenario = Scenarios.byId(id, scale);
      if (o.has("seeds")) {
        scenario =
            new Scenario(
                scenario.id(),
                scenario.title(),
                scenario.definition(),
                scenario.cases(),
                o.integer("seeds", 1, 1, 1000));
      }
      long start = System.nanoTime();
      Outcome outcome = Outcome.run(scenario);
      out.printf(Locale.ROOT, "## %s: %s%n%n%s%n%n", id, scenario.title(), scenario.definition());
      out.print(Report.table(outcome));
      out.println();
      List<Goals.Goal> goals = Goals.of(outcome);
      if (!goals.isEmpty()) {
        out.print(Report.goals(goals));
        out.println();
      }
      out.print("```\n" + Report.chart(outcome) + "```\n");
      out.printf(
          Locale.ROOT,
          "%nseeds 1 to %d; %,d requests measured; took %d s%n%n",
          scenario.seeds(),
          outcome.rows().stream().mapToLong(r -> r.results().requests()).sum(),
          (System.nanoTime() - start) / 1_000_000_000L);
    }
  }
}
