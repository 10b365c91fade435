/**
 * The sandbox broker of seeds 001 and 004 as a runnable service: it hands pre-created sandboxes to
 * tracks, one each, over HTTP, from a pool kept in SQLite or PostgreSQL and shared by any number of
 * instances.
 *
 * <h2>How allocation stays exclusive across instances</h2>
 *
 * The store is the source of truth. An allocation fetches K random available rows (the seed's
 * K-candidate fan-out), lets an lbkit power-of-two-choices picker choose among them (each candidate
 * is a {@link dev.lbkit.core.Server} whose active connections count this instance's claims in
 * flight on it, so concurrent requests here spread over different candidates), and claims the
 * chosen one with one conditional update ({@code ... WHERE id = ? AND status = 'available'}). A
 * lost race (another request or instance took it) counts a conflict and offers the next candidate;
 * when all K are lost, it fetches K more, until the pool is empty. A unique index on the allocated
 * track makes "one sandbox per track" hold across instances too.
 *
 * <p>{@link dev.lbkit.services.broker.Broker} wires it: the store ({@code store}), the CSP ({@code
 * csp}), the jobs ({@code jobs}), the API ({@link dev.lbkit.services.broker.BrokerApi}) and the
 * meters ({@link dev.lbkit.services.broker.BrokerMetrics}).
 */
@NullMarked
package dev.lbkit.services.broker;

import org.jspecify.annotations.NullMarked;
