package dev.lbkit.benchmarks.sim;

/**
 * The closed forms the simulator is checked against. Times are in units of the mean service time.
 */
public final class Theory {

  private Theory() {}

  /** M/M/1 mean sojourn (wait plus service): 1 / (mu - lambda). */
  public static double mm1Mean(double lambda, double mu) {
    checkStable(lambda, mu);
    return 1 / (mu - lambda);
  }

  /**
   * M/M/1 sojourn quantile {@code q}: the sojourn of FIFO M/M/1 is exponential with rate mu -
   * lambda, so its q-quantile is -ln(1 - q) / (mu - lambda); p99 is ln(100) / (mu - lambda).
   */
  public static double mm1Quantile(double lambda, double mu, double q) {
    checkStable(lambda, mu);
    if (!(q > 0 && q < 1)) {
      throw new IllegalArgumentException("q: " + q + " (expected: in (0, 1))");
    }
    return -Math.log1p(-q) / (mu - lambda);
  }

  /**
   * The expected sojourn in the supermarket model as the number of servers grows (Mitzenmacher,
   * "The power of two choices in randomized load balancing", 2001): with arrivals at rate {@code
   * lambda} per server, exponential service of mean 1 and each request to the shortest of {@code
   * choices} queues sampled uniformly, the fixed point has a share lambda^((d^i - d)/(d - 1)) of
   * requests seeing at least i - 1 ahead, so the sojourn is the sum over i >= 1 of those; for d = 1
   * (random) it is M/M/1's 1 / (1 - lambda).
   *
   * @throws IllegalArgumentException if {@code lambda} is not in (0, 1) or {@code choices} is below
   *     1
   */
  public static double supermarketMean(double lambda, int choices) {
    checkStable(lambda, 1);
    if (choices < 1) {
      throw new IllegalArgumentException("choices: " + choices + " (expected: >= 1)");
    }
    if (choices == 1) {
      return 1 / (1 - lambda);
    }
    double sum = 0;
    for (int i = 1; i < 64; i++) {
      double exponent = (Math.pow(choices, i) - choices) / (choices - 1);
      double term = Math.pow(lambda, exponent);
      sum += term;
      if (term < 1e-15) {
        break;
      }
    }
    return sum;
  }

  private static void checkStable(double lambda, double mu) {
    if (!(mu > 0) || Double.isInfinite(mu)) {
      throw new IllegalArgumentException("mu: " + mu + " (expected: > 0, finite)");
    }
    if (!(lambda > 0 && lambda < mu)) {
      throw new IllegalArgumentException(
          "lambda: " + lambda + " (expected: in (0, mu), mu " + mu + ")");
    }
  }
}
