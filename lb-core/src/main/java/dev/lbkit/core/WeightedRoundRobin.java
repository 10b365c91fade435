package dev.lbkit.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Smooth weighted round robin (nginx's algorithm): each healthy server is picked in proportion to
 * its {@link Server#weight()}, with the picks interleaved rather than bunched. Weights {5, 1, 1}
 * give {@code a a b a c a a}; weights {3, 1} give {@code a a b a}, repeated.
 *
 * <p>Exact: over every full period (the sum of the healthy servers' weights divided by their
 * greatest common divisor) each healthy server gets exactly its share, also when picks come from
 * many threads at once, because each pick takes its own slot of a precomputed schedule.
 *
 * <p>{@link #next()}: O(1), one atomic increment and an array load, no allocation, no lock. The
 * schedule is computed when the servers, their health or their weights change, on the thread that
 * made the change (picks never rebuild): O(period x servers), bounded by a few milliseconds.
 * Periods too long to hold as a table (over 2^18 slots) fall back to a golden-ratio stride over the
 * weights, still exact per period, at O(log n) per pick and with a less even spread; {@code docs/}
 * explains both.
 */
public final class WeightedRoundRobin extends PolicyPicker {

  /**
   * Creates a smooth weighted round robin over {@code servers}.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public WeightedRoundRobin(List<Server> servers) {
    this(servers, WeightedSchedule.MAX_TABLE, WeightedSchedule.MAX_BUILD_STEPS);
  }

  /** Creates a balancer with the given schedule limits; tests use it to force the fallback. */
  WeightedRoundRobin(List<Server> servers, int maxTable, long maxBuildSteps) {
    super(servers, new WeightedPolicy(maxTable, maxBuildSteps));
  }

  /**
   * Returns the next healthy server in the smooth weighted order, or null when none is healthy.
   * O(1) in the usual case; no allocation.
   */
  @Override
  public @Nullable Server next() {
    return super.next();
  }

  /** Returns the current schedule; for tests. */
  WeightedSchedule schedule() {
    return (WeightedSchedule) membership.current().derived;
  }
}
