package dev.lbkit.core;

import java.time.Duration;

/**
 * What one {@link LoadBalancer} saw of one server, as of one {@link LoadBalancer#stats()} call.
 * Immutable.
 *
 * @param id the server's {@link Server#id()}
 * @param healthy whether the server was healthy
 * @param draining whether the server was draining
 * @param ejected whether the server was ejected (see {@link LoadBalancer#eject})
 * @param requests requests routed and leases granted to it by this balancer
 * @param activeConnections connections counted on the server (by every balancer holding it)
 * @param completed leases closed
 * @param errors leases closed with a failure
 * @param p50 median latency of closed leases (0 when none), within 6.25%
 * @param p99 99th percentile latency of closed leases, within 6.25%
 * @param max the longest lease
 */
public record ServerStats(
    String id,
    boolean healthy,
    boolean draining,
    boolean ejected,
    long requests,
    int activeConnections,
    long completed,
    long errors,
    Duration p50,
    Duration p99,
    Duration max) {

  /** Returns errors over completed leases, 0 when none completed. */
  public double errorRate() {
    return completed == 0 ? 0 : (double) errors / completed;
  }
}
