package dev.lbkit.benchmarks.sim;

import java.io.PrintStream;
import java.time.Duration;
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
        default ->
            throw new IllegalArgumentException(
                "scenario: " + args[0] + " (expected one of: supermarket; see --help)");
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
}
