package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * nginx's smooth weighted round robin over a precomputed schedule; see {@link WeightedRoundRobin}.
 */
final class WeightedPolicy extends Policy<WeightedSchedule> {

  private final PaddedCounter sequence = new PaddedCounter(0);
  private final int maxTable;
  private final long maxBuildSteps;

  WeightedPolicy() {
    this(WeightedSchedule.MAX_TABLE, WeightedSchedule.MAX_BUILD_STEPS);
  }

  WeightedPolicy(int maxTable, long maxBuildSteps) {
    this.maxTable = maxTable;
    this.maxBuildSteps = maxBuildSteps;
  }

  @Override
  WeightedSchedule derive(Server[] candidates, @Nullable WeightedSchedule previous) {
    return WeightedSchedule.of(candidates, maxTable, maxBuildSteps);
  }

  @Override
  int propose(WeightedSchedule state, Server[] candidates, Request request) {
    return state.indexAt(sequence.getAndIncrement());
  }

  @Override
  String name() {
    return "WeightedRoundRobin";
  }
}
