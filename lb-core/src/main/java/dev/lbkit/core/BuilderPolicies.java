package dev.lbkit.core;

import java.util.EnumSet;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The balancer's policies for Prequal, weighted least request and slow start, and the builder
 * options they read; kept apart from {@link LoadBalancer} so the facade only forwards to them.
 */
final class BuilderPolicies {

  /** The algorithms a slow start applies to: those that weigh servers by a share of picks. */
  static final Set<Algorithm> SLOW_START =
      EnumSet.of(
          Algorithm.ROUND_ROBIN, Algorithm.WEIGHTED_ROUND_ROBIN, Algorithm.WEIGHTED_LEAST_REQUEST);

  private BuilderPolicies() {}

  /** The builder's options for these algorithms. */
  static final class Extras {
    @Nullable PrequalConfig prequal;
    double activeRequestBias = LeastRequestPolicy.DEFAULT_BIAS;
    boolean activeRequestBiasSet;
    @Nullable SlowStart slowStart;

    /**
     * Rejects a slow start the algorithm would ignore, or PREQUAL without its probe. (The options
     * of one algorithm each are checked with the builder's others.)
     */
    void checkConsistent(Algorithm algorithm) {
      if (slowStart != null && !SLOW_START.contains(algorithm)) {
        throw new IllegalArgumentException(
            "slowStart: "
                + slowStart
                + " is set but algorithm: "
                + algorithm
                + " does not use it (expected: algorithm one of "
                + SLOW_START
                + ")");
      }
      if (algorithm == Algorithm.PREQUAL && prequal == null) {
        throw new IllegalArgumentException(
            "algorithm: PREQUAL without prequal(PrequalConfig) (expected: a probe to ask servers"
                + " for their load)");
      }
    }
  }

  /**
   * Returns the policy of {@code algorithm} given these options: PREQUAL, WEIGHTED_LEAST_REQUEST,
   * or round robin (weighted or not) in a slow start. The options are consistent.
   */
  static Policy<?> policyOf(
      Algorithm algorithm, Extras extras, Ticker ticker, RandomGenerator random) {
    SlowStart slowStart = extras.slowStart;
    switch (algorithm) {
      case PREQUAL:
        PrequalConfig config = extras.prequal;
        if (config == null) {
          throw new IllegalStateException("PREQUAL without a config");
        }
        return new PrequalPolicy(config, ticker, random);
      case WEIGHTED_LEAST_REQUEST:
        return new LeastRequestPolicy(extras.activeRequestBias, 2, random, slowStart, ticker);
      case ROUND_ROBIN:
        if (slowStart != null) {
          return new SlowStartPolicy(new RoundRobinPolicy(0), false, slowStart, ticker, random);
        }
        break;
      case WEIGHTED_ROUND_ROBIN:
        if (slowStart != null) {
          return new SlowStartPolicy(new WeightedPolicy(), true, slowStart, ticker, random);
        }
        break;
      default:
        break;
    }
    throw new IllegalStateException("algorithm: " + algorithm + " is not built here");
  }
}
