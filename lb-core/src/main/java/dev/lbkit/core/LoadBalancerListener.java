package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * Hears what a {@link LoadBalancer} does, for request logging, tracing or metrics: every routing
 * decision and every closed lease. Methods are called synchronously on the routing thread, so they
 * must be quick and thread-safe. An exception thrown by a listener is logged and otherwise ignored:
 * it never fails the request or corrupts the balancer. A balancer without listeners pays nothing.
 */
public interface LoadBalancerListener {

  /** Called when {@code request} was routed to {@code server} (by {@code route} or a lease). */
  default void onRouted(Request request, Server server) {}

  /** Called when no server was admissible for {@code request}. */
  default void onRejected(Request request) {}

  /**
   * Called once when a lease on {@code server} closes.
   *
   * @param latencyNanos how long the lease was held, by the balancer's ticker
   * @param failure the failure reported on the lease, or null if it succeeded
   */
  default void onLeaseClosed(
      Request request, Server server, long latencyNanos, @Nullable Throwable failure) {}

  /**
   * Called after {@code server} joined the balancer ({@code addServer}, {@code setServers}), or its
   * weight changed through them. Not called for the servers a balancer was built with, nor for a
   * listener added later: read {@link LoadBalancer#servers()} for those.
   */
  default void onServerAdded(Server server) {}

  /**
   * Called after {@code server} left the balancer: removed, or drained to its end. Its per-server
   * stats are gone from {@link LoadBalancer#stats()} from then on.
   */
  default void onServerRemoved(Server server) {}
}
