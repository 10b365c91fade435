/**
 * Servers and the algorithms that pick among them.
 *
 * <h2>Concurrency design</h2>
 *
 * A {@link dev.lbkit.core.Server} is a live handle: its identity (host, port, weight) is immutable
 * and its runtime state (health, active connections) lives in volatile fields and atomics on the
 * server itself, so every balancer that holds it sees one truth.
 *
 * <p>Each algorithm is a {@code Policy}: it derives its state (a smooth schedule, estimates) from
 * an immutable array of candidate servers when they change, and proposes one of them per pick,
 * advancing at most one shared atomic counter and allocating nothing. A standalone picker holds its
 * candidates (the healthy servers) in one immutable snapshot behind a volatile field; a {@link
 * dev.lbkit.core.LoadBalancer} holds them, with its members and their backends, in one immutable
 * routing table, and its pick loop admits the proposal (drain, health, ejection, cap, token) or
 * walks on from it. The policy never calls back.
 *
 * <p>Health and weight changes reach the tables through the servers: a server tells the tables that
 * hold it (they watch it, weakly), and each rebuilds on the thread that made the change, before
 * that change returns. So a pick is one volatile read of its table, never a rebuild; a change of a
 * server a table does not hold costs that table nothing; and a pick that starts after {@code
 * setHealthy(false)} returned never proposes that server. A rebuild is O(n) (O(period x n) for the
 * smooth schedule) on the writer's thread.
 *
 * <p>Picks never lock. {@code null} from {@code next()} means no server is healthy.
 */
@NullMarked
package dev.lbkit.core;

import org.jspecify.annotations.NullMarked;
