/**
 * Servers and the algorithms that pick among them.
 *
 * <h2>Concurrency design</h2>
 *
 * A {@link dev.lbkit.core.Server} is a live handle: its identity (host, port, weight) is immutable
 * and its runtime state (health, active connections) lives in volatile fields and atomics on the
 * server itself, so every balancer that holds it sees one truth.
 *
 * <p>Each algorithm keeps its servers, the healthy subset of them and whatever it precomputed from
 * that subset (for weighted round robin, the smooth schedule) in one immutable snapshot behind a
 * volatile field. A pick reads the snapshot once, advances at most one shared atomic counter, and
 * allocates nothing. A membership change builds a new snapshot and installs it with a
 * compare-and-set.
 *
 * <p>Health changes reach the snapshots through a single process-wide <em>state epoch</em>: a
 * server whose health flips increments it, and a pick that finds its snapshot older than the epoch
 * rebuilds the healthy subset first. When nothing changes, which is almost always, the check costs
 * one volatile read of a rarely written counter. A rebuild allocates and is O(n) (O(total weight)
 * for the smooth schedule); it happens once per change, never per pick.
 *
 * <p>Picks never lock. {@code null} from {@code next()} means no server is healthy.
 */
@NullMarked
package dev.lbkit.core;

import org.jspecify.annotations.NullMarked;
