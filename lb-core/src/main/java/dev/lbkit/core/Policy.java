package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * One balancing algorithm, apart from where its servers live: it derives its state from an
 * immutable array of candidate servers when they change, and proposes one of them per pick. A
 * standalone picker ({@link PolicyPicker}) and a {@link LoadBalancer}'s routing table hold the
 * candidates and the derived state and ask the same policy, so each algorithm is written once.
 *
 * <p>A policy never calls back into whatever holds it and never decides admission: the balancer's
 * pick loop checks the proposal and, if it is refused, walks on from it. {@link #propose} is the
 * hot path: lock-free, no allocation; {@link #derive} runs on the writer's thread only.
 *
 * @param <S> what the policy precomputes from the candidates
 */
abstract class Policy<S> {

  /**
   * Computes the state for {@code candidates} (in list order), given the state it replaces, if any.
   * Called on each change of the candidates or their weights, never per pick.
   */
  abstract S derive(Server[] candidates, @Nullable S previous);

  /**
   * Returns the index in {@code candidates} of the server this policy proposes for {@code request};
   * {@code candidates} is not empty and is the array {@code state} was derived from.
   */
  abstract int propose(S state, Server[] candidates, Request request);

  /** Drops what the policy keeps about {@code server} across derivations; it left. */
  void forget(Server server) {}

  /** Returns the algorithm's name, for {@code toString()}. */
  abstract String name();
}
