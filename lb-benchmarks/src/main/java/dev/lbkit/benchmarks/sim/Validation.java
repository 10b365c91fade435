package dev.lbkit.benchmarks.sim;

import dev.lbkit.benchmarks.MarkdownTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The simulator against queueing theory: M/M/1's mean and p99 sojourn, and the supermarket model at
 * 1,000 servers against Mitzenmacher's fixed point for lambda in {0.5, 0.7, 0.8, 0.9, 0.95} and d
 * in {1, 2, 3}. Each case runs seed 1 for its own length: long enough that the statistical error is
 * well below the 3% tolerance (see {@link #supermarketSeconds}).
 */
final class Validation {

  static final double TOLERANCE = 0.03;
  static final double[] LAMBDAS = {0.5, 0.7, 0.8, 0.9, 0.95};
  static final int[] CHOICES = {1, 2, 3};

  /**
   * One comparison.
   *
   * @param model "M/M/1" or "supermarket"
   * @param parameters the case, such as "N=1000 lambda=0.9 d=2"
   * @param figure "mean" or "p99"
   * @param theory the closed form, in units of the mean service time
   * @param measured what the simulation gave
   * @param seconds how long requests arrived, in units of the mean service time
   * @param warmup how long of it was not measured
   * @param requests how many requests were measured
   */
  record Check(
      String model,
      String parameters,
      String figure,
      double theory,
      double measured,
      double seconds,
      double warmup,
      long requests) {

    double error() {
      return measured / theory - 1;
    }

    boolean passes() {
      return Math.abs(error()) <= TOLERANCE;
    }
  }

  private Validation() {}

  /**
   * How long the supermarket case runs, and its warm-up, in units of the mean service time, scaled
   * by {@code scale}. Queues start empty; M/M/1 at load L relaxes on a time scale of 1 / (1 -
   * sqrt(L))^2 (about 1,560 at 0.95), so the warm-up is 8,000 at 0.95 with d = 1 and 1,000
   * otherwise; the measured time is 10,000 (40,000 for d = 1 at 0.95, whose mean of 20 converges
   * slowest: the relative standard error of 1,000 queues' mean over T is about sqrt(2 (1 + L) / (L
   * (1 - L)^2 1000 T)), 0.64% at T = 40,000).
   */
  static double[] supermarketSeconds(double lambda, int choices, double scale) {
    boolean slowest = choices == 1 && lambda >= 0.95;
    double warmup = slowest ? 8_000 : 1_000;
    double measured = slowest ? 40_000 : 10_000;
    return new double[] {(warmup + measured) * scale, warmup * scale};
  }

  /** The supermarket grid at 1,000 servers. */
  static List<Check> supermarket(double scale) {
    List<Check> checks = new ArrayList<>();
    for (int d : CHOICES) {
      for (double lambda : LAMBDAS) {
        double[] s = supermarketSeconds(lambda, d, scale);
        checks.add(supermarket(1_000, lambda, d, s[0], s[1], 1));
      }
    }
    return checks;
  }

  /** One supermarket case's mean sojourn against the fixed point. */
  static Check supermarket(
      int servers, double lambda, int choices, double seconds, double warmup, long seed) {
    RunResult r = Supermarket.of(servers, lambda, choices, units(seconds), units(warmup)).run(seed);
    return new Check(
        "supermarket",
        String.format(Locale.ROOT, "N=%d lambda=%s d=%d", servers, lambda, choices),
        "mean",
        Theory.supermarketMean(lambda, choices),
        r.latency().meanNanos() / Supermarket.UNIT.toNanos(),
        seconds,
        warmup,
        r.latency().answered());
  }

  /**
   * M/M/1 through the general API: one single-core FIFO server with exponential work of mean 10 ms
   * (mu = 100/s), Poisson arrivals at lambda x 100/s; mean and p99 sojourn against 1 / (mu -
   * lambda) and ln(100) / (mu - lambda), both in units of 10 ms.
   */
  static List<Check> mm1(double lambda, double seconds, double warmup, long seed) {
    Duration mean = Duration.ofMillis(10);
    double mu = 1e9 / mean.toNanos();
    Simulation sim =
        Simulation.builder()
            .fleet(Fleet.of(1, ServerSpec.fifo(ServiceTime.exponential(mean))))
            .arrivals(Arrivals.poisson(lambda * mu))
            .policy(Policy.shortestOf(1))
            .duration(units(seconds).multipliedBy(10).dividedBy(1000))
            .warmup(units(warmup).multipliedBy(10).dividedBy(1000))
            .build();
    RunResult r = sim.run(seed);
    double unit = mean.toNanos();
    String parameters = String.format(Locale.ROOT, "lambda=%s mu=1", lambda);
    return List.of(
        new Check(
            "M/M/1",
            parameters,
            "mean",
            Theory.mm1Mean(lambda, 1),
            r.latency().meanNanos() / unit,
            seconds,
            warmup,
            r.latency().answered()),
        new Check(
            "M/M/1",
            parameters,
            "p99",
            Theory.mm1Quantile(lambda, 1, 0.99),
            r.latency().p99Nanos() / unit,
            seconds,
            warmup,
            r.latency().answered()));
  }

  /**
   * The M/M/1 cases of the full validation: lambda 0.5, 0.8 and 0.9, 20 million units each. One
   * queue converges slowly: the relative standard error of its mean over T is about sqrt(2 (1 + L)
   * / (L (1 - L)^2 T)), 0.46% at L = 0.9 and T = 20 million (1.45% at 2 million, too close to the
   * 3% tolerance, more so for p99).
   */
  static List<Check> mm1(double scale) {
    List<Check> checks = new ArrayList<>();
    for (double lambda : new double[] {0.5, 0.8, 0.9}) {
      checks.addAll(mm1(lambda, 20_000_000 * scale, 10_000 * scale, 1));
    }
    return checks;
  }

  private static Duration units(double seconds) {
    return Duration.ofNanos(Math.round(seconds * Supermarket.UNIT.toNanos()));
  }

  /** The checks as a markdown table. */
  static String table(List<Check> checks) {
    List<List<String>> rows = new ArrayList<>();
    for (Check c : checks) {
      rows.add(
          List.of(
              c.model(),
              c.parameters(),
              c.figure(),
              String.format(Locale.ROOT, "%.4f", c.theory()),
              String.format(Locale.ROOT, "%.4f", c.measured()),
              String.format(Locale.ROOT, "%+.2f%%", c.error() * 100),
              c.passes() ? "yes" : "NO",
              String.format(Locale.ROOT, "%,.0f (%,.0f)", c.seconds(), c.warmup()),
              String.format(Locale.ROOT, "%,d", c.requests())));
    }
    return MarkdownTable.render(
        List.of(
            "model",
            "case",
            "sojourn",
            "theory",
            "simulated",
            "error",
            "within 3%",
            "length (warm-up)",
            "requests measured"),
        rows,
        3);
  }
}
