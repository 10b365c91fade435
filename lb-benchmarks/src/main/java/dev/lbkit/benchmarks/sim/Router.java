package dev.lbkit.benchmarks.sim;

/**
 * One client's balancer as the simulation drives it. The simulation calls {@link #pick} when a
 * request of this client arrives and {@link #complete} when its response does (or when the server
 * refused it), always on the simulation's one thread and in simulated-time order. A router keeps
 * only what its client could know: what it sent, what came back, and what it asked servers itself
 * (see {@link Client#schedule}).
 */
public interface Router {

  /**
   * Picks the server for a request that arrives now.
   *
   * @param call the request's id, unique among this run's requests in flight (ids are reused after
   *     {@link #complete}); a router may keep per-call state in an array indexed by it
   * @return the fleet index of a server that is a member
   */
  int pick(int call);

  /**
   * The response to {@code call}, picked on {@code server}, arrived after {@code latencyNanos}; it
   * failed if the server refused it or took longer than the simulation's success bound.
   */
  void complete(int call, int server, long latencyNanos, boolean success);

  /** Server {@code server} joined the fleet now; a router that balances over members adds it. */
  default void joined(int server) {}
}
