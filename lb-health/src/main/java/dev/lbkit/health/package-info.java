/**
 * Health checking for lbkit servers. This package is reserved for the threshold {@code
 * HealthChecker}, its probes and passive outlier ejection; until they land, servers' health is set
 * by the caller through {@code Server.setHealthy(boolean)}.
 */
@NullMarked
package dev.lbkit.health;

import org.jspecify.annotations.NullMarked;
