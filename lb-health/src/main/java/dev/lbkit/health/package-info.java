/**
 * Health checking for lbkit servers.
 *
 * <p>{@link dev.lbkit.health.HealthChecker} probes servers periodically ({@link
 * dev.lbkit.health.Probe#tcp()}, {@link dev.lbkit.health.Probe#http(String)}, or your own probe)
 * and drives the threshold state machine of {@link dev.lbkit.health.HealthState}: a server turns
 * unhealthy after {@code unhealthyThreshold} consecutive failed probes and healthy again after
 * {@code healthyThreshold} consecutive passed ones, so one failed probe among passes does not flap
 * it. It writes health only through {@code Server.setHealthy}, which every balancer holding the
 * server reads on its next pick.
 *
 * <h2>Concurrency design</h2>
 *
 * A server's state is an immutable {@link dev.lbkit.health.HealthState} behind an atomic reference;
 * each probe result installs the next state, computed by a pure function, with a compare-and-set,
 * and callbacks run after the swap, outside the retried function. Scheduling goes through a {@link
 * dev.lbkit.health.Scheduler}, so tests drive the whole sequence on fake time.
 */
@NullMarked
package dev.lbkit.health;

import org.jspecify.annotations.NullMarked;
