package dev.lbkit.core;

import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code LEAST_REQUEST} with {@code active_request_bias}: while every candidate has the
 * same weight (and none ramps in a slow start), the fewer active connections of {@code choices}
 * distinct random candidates (power of two choices, O(1)); otherwise a {@link WeightedDraw} over
 * all candidates in proportion to {@code weight / (active + 1)^bias} (O(n)), Envoy's weights that
 * shift with load. Bias 0 makes it weighted random; bias 1 (Envoy's default) divides by the load.
 */
final class LeastRequestPolicy extends Policy<LeastRequestPolicy.State> {

  /** Envoy's default {@code active_request_bias}: 1.0. */
  static final double DEFAULT_BIAS = 1.0;

  /** Whether the weights are all equal, and the slow start of the candidates if there is one. */
  static final class State {
    final boolean equalWeights;
    final @Nullable Ramp ramp;

    State(boolean equalWeights, @Nullable Ramp ramp) {
      this.equalWeights = equalWeights;
      this.ramp = ramp;
    }
  }

  private final double bias;
  private final RandomPolicy fewest;
  private final RandomGenerator random;
  private final @Nullable SlowStart slowStart;
  private final Ticker ticker;

  LeastRequestPolicy(
      double bias,
      int choices,
      RandomGenerator random,
      @Nullable SlowStart slowStart,
      Ticker ticker) {
    this.bias = checkBias(bias);
    this.random = Objects.requireNonNull(random, "random");
    this.fewest = new RandomPolicy(random, choices);
    this.slowStart = slowStart;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /** Returns {@code bias} if it is a finite number of at least 0. */
  static double checkBias(double bias) {
    if (!(bias >= 0) || Double.isInfinite(bias)) {
      throw new IllegalArgumentException(
          "activeRequestBias: " + bias + " (expected: >= 0 and finite)");
    }
    return bias;
  }

  @Override
  State derive(Server[] candidates, @Nullable State previous) {
    boolean equal = true;
    for (int i = 1; i < candidates.length && equal; i++) {
      equal = candidates[i].weight() == candidates[0].weight();
    }
    Ramp ramp =
        slowStart == null
            ? null
            : Ramp.derive(
                slowStart, candidates, previous == null ? null : previous.ramp, ticker.read());
    return new State(equal, ramp);
  }

  @Override
  int propose(State state, Server[] candidates, Request request) {
    Ramp ramp = state.ramp;
    long now = 0;
    if (ramp != null) {
      now = ticker.read();
      if (!ramp.active(now)) {
        ramp = null;
      }
    }
    if (state.equalWeights && ramp == null) {
      return fewest.propose(candidates, candidates, request);
    }
    return WeightedDraw.draw(candidates, true, ramp, now, bias, random);
  }

  @Override
  String name() {
    return "WeightedLeastRequest";
  }
}
