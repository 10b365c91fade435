/**
 * Health checking for lbkit servers.
 *
 * <p>Today this package holds the threshold state machine that the health checker will drive: a
 * server turns unhealthy after {@code unhealthyThreshold} consecutive failed probes and healthy
 * again after {@code healthyThreshold} consecutive passed ones, so one failed probe among passes
 * does not flap it. The checker itself (scheduling, TCP and HTTP probes, callbacks) and passive
 * ejection come next; until then, set health with {@code Server.setHealthy(boolean)}.
 */
@NullMarked
package dev.lbkit.health;

import org.jspecify.annotations.NullMarked;
