package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * Strict list order: pick k (from 0) proposes candidate {@code k mod n}. See {@link RoundRobin}.
 */
final class RoundRobinPolicy extends Policy<Server[]> {

  private final PaddedCounter sequence;

  RoundRobinPolicy(long firstSequence) {
    this.sequence = new PaddedCounter(firstSequence);
  }

  @Override
  Server[] derive(Server[] candidates, Server @Nullable [] previous) {
    return candidates;
  }

  @Override
  int propose(Server[] state, Server[] candidates, Request request) {
    return Sequences.index(sequence.getAndIncrement(), candidates.length);
  }

  @Override
  String name() {
    return "RoundRobin";
  }
}
