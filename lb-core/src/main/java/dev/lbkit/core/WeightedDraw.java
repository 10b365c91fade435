package dev.lbkit.core;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A random candidate drawn in proportion to its effective weight: {@code weight x ramp factor /
 * (active + 1)^bias}. Envoy's least request with unequal weights uses it with its bias; a slow
 * start uses it with bias 0 while a server ramps. O(n), two passes over the candidates and one
 * random draw, no allocation. Counts that change between the passes only skew one draw.
 */
final class WeightedDraw {

  private WeightedDraw() {}

  /**
   * Returns the index of the candidate drawn.
   *
   * @param weighted whether servers weigh their {@link Server#weight()} (else 1 each)
   * @param ramp the slow start of the candidates, or null
   * @param bias the exponent of {@code active + 1}; 0 ignores active requests
   */
  static int draw(
      Server[] candidates,
      boolean weighted,
      @Nullable Ramp ramp,
      long now,
      double bias,
      RandomGenerator random) {
    double total = 0;
    for (int i = 0; i < candidates.length; i++) {
      total += score(candidates[i], i, weighted, ramp, now, bias);
    }
    double x = random.nextDouble() * total;
    for (int i = 0; i < candidates.length - 1; i++) {
      x -= score(candidates[i], i, weighted, ramp, now, bias);
      if (x < 0) {
        return i;
      }
    }
    return candidates.length - 1;
  }

  private static double score(
      Server server, int i, boolean weighted, @Nullable Ramp ramp, long now, double bias) {
    double weight = weighted ? server.weight() : 1.0;
    if (ramp != null) {
      weight *= ramp.factor(i, now);
    }
    if (bias == 0.0) {
      return weight;
    }
    double load = server.activeConnections() + 1.0;
    return bias == 1.0 ? weight / load : weight / Math.pow(load, bias);
  }
}
