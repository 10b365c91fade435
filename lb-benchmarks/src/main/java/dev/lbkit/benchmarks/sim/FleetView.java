package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.LoadReport;

/**
 * The true state of the simulated servers at the current simulated time, as the servers themselves
 * know it: what a probe answers (Prequal asks servers for their requests in flight) and what an
 * oracle routes by. A client balancing with only local knowledge does not read it. Server {@code i}
 * is server {@code i} of the {@link Fleet}.
 */
public interface FleetView {

  /** How many servers, members or not yet. */
  int size();

  /** Whether server {@code i} has joined (clients know it). */
  boolean isMember(int i);

  /** The requests server {@code i} holds now, queued or in service, from every client. */
  int requestsInFlight(int i);

  /** Server {@code i}'s speed now: its nominal speed times any slowdown, antagonist or warm-up. */
  double speed(int i);

  /** Server {@code i}'s description. */
  ServerSpec spec(int i);

  /**
   * The mean latency of the last requests server {@code i} completed, an exponentially weighted
   * moving average over about its last 16 completions, in nanoseconds; 0 before its first.
   */
  double recentLatencyNanos(int i);

  /**
   * What server {@code i} answers a Prequal probe now: the snapshot of the {@link
   * dev.lbkit.core.LoadReporter} it embeds, which brackets every request it holds (requests in
   * flight, and a latency estimate from its recent requests at a similar load).
   */
  LoadReport loadReport(int i);
}
