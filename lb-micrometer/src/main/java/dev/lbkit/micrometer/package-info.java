/**
 * Micrometer binders for lbkit.
 *
 * <h2>Concurrency design</h2>
 *
 * {@link dev.lbkit.micrometer.LoadBalancerMetrics} hears a balancer through the public {@code
 * LoadBalancerListener}: counters and timers are fed on the routing thread (one map read and one
 * atomic add), and gauges follow membership. The binder takes no lock of its own: a membership
 * change marks the server as pending, and whichever thread finds no reconciliation running applies
 * every pending change against the balancer's current members, so callers never wait for one
 * another and never hold anything of ours while Micrometer takes its own locks.
 *
 * <p>{@link dev.lbkit.micrometer.HealthCheckerMetrics} and {@link
 * dev.lbkit.micrometer.OutlierDetectorMetrics} hear a checker and a detector through their public
 * listeners, which run off the routing path (the checker's callback threads, the thread that
 * reported an outcome); they find their meters through Micrometer's own look-up on each event and
 * read their gauges from the checker's and the detector's public state when scraped.
 */
@NullMarked
package dev.lbkit.micrometer;

import org.jspecify.annotations.NullMarked;
