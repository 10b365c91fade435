package dev.lbkit.core;

import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A slow start around a round robin (weighted or not): while some candidate ramps, picks are a
 * {@link WeightedDraw} over the effective weights ({@code weight x} the ramp factor); once every
 * candidate is warm, the wrapped policy's own order resumes. Outside ramps a pick costs one ticker
 * read and one comparison more than the wrapped policy.
 */
final class SlowStartPolicy extends Policy<SlowStartPolicy.State> {

  /** The wrapped policy's state and the ramp of the candidates. */
  static final class State {
    final Object inner;
    final Ramp ramp;

    State(Object inner, Ramp ramp) {
      this.inner = inner;
      this.ramp = ramp;
    }
  }

  private final Policy<Object> inner;
  private final SlowStart slowStart;
  private final boolean weighted;
  private final Ticker ticker;
  private final RandomGenerator random;

  /**
   * @param weighted whether the wrapped policy weighs servers (weighted round robin) or not (round
   *     robin: each weighs 1)
   */
  @SuppressWarnings("unchecked") // the wrapped policy only ever sees the state it derived
  SlowStartPolicy(
      Policy<?> inner,
      boolean weighted,
      SlowStart slowStart,
      Ticker ticker,
      RandomGenerator random) {
    this.inner = (Policy<Object>) Objects.requireNonNull(inner, "inner");
    this.weighted = weighted;
    this.slowStart = Objects.requireNonNull(slowStart, "slowStart");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = Objects.requireNonNull(random, "random");
  }

  @Override
  State derive(Server[] candidates, @Nullable State previous) {
    Object innerState = inner.derive(candidates, previous == null ? null : previous.inner);
    Ramp ramp =
        Ramp.derive(slowStart, candidates, previous == null ? null : previous.ramp, ticker.read());
    return new State(innerState, ramp);
  }

  @Override
  int propose(State state, Server[] candidates, Request request) {
    long now = ticker.read();
    if (state.ramp.active(now)) {
      return WeightedDraw.draw(candidates, weighted, state.ramp, now, 0.0, random);
    }
    return inner.propose(state.inner, candidates, request);
  }

  @Override
  void forget(Server server) {
    inner.forget(server);
  }

  @Override
  String name() {
    return inner.name();
  }
}
