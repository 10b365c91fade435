/**
 * The sandbox broker of seeds 001 and 004, embedded on lbkit: a pool of pre-created sandboxes
 * handed out one track at a time over HTTP, with bearer-token roles, Prometheus metrics, liveness
 * and readiness.
 *
 * <ul>
 *   <li>{@link dev.lbkit.examples.broker.SandboxBroker}: the pool. Allocation, idempotent retries,
 *       release ({@code markForDeletion}) and TTL expiry by a background job.
 *   <li>{@link dev.lbkit.examples.broker.BrokerAuth}: the bearer tokens (admin, one per track),
 *       kept as SHA-256 digests and compared in constant time.
 *   <li>{@link dev.lbkit.examples.broker.BrokerHttpServer}: the HTTP API on loopback, {@code
 *       /metrics}, {@code /healthz} and {@code /readyz}.
 * </ul>
 *
 * <h2>How exclusivity comes from lbkit</h2>
 *
 * Every sandbox is a {@link dev.lbkit.core.Server} in one {@link dev.lbkit.core.LoadBalancer} built
 * with {@code POWER_OF_TWO_CHOICES}, {@code choices(k)} and {@code maxConcurrent(1)}. An allocation
 * is a {@link dev.lbkit.core.Lease} from {@code tryAcquire}: the balancer draws k random healthy
 * sandboxes, offers the least busy one, and takes its single slot with one compare-and-set on the
 * server's connection count, so two allocations can never hold the same sandbox; when the slot is
 * gone it offers the next sandboxes instead. Drawing random candidates rather than scanning the
 * pool from the start is the seed's "K-candidate shuffled fan-out": a thousand concurrent requests
 * start at a thousand different places instead of fighting over the first free sandbox. The lease
 * stays open for as long as the track holds the sandbox; closing it (release or expiry) frees the
 * slot.
 *
 * <h2>Concurrency</h2>
 *
 * The broker's own state is two concurrent maps: allocations by sandbox id, and by (track,
 * idempotency key) a future of the allocation made for that key. The first request with a key
 * installs its future with {@code putIfAbsent} and allocates; concurrent retries with the same key
 * find the future and wait for its (non-blocking, microseconds long) outcome, so they return the
 * same sandbox. A release removes the allocation from the sandbox map with a conditional {@code
 * remove(id, allocation)} (so release and expiry racing for one allocation release it once, and a
 * track's release checked against one allocation can never release the next one), then the key, and
 * closes the lease last, so the sandbox cannot be handed out again while anything still points at
 * its old holder. No lock is taken on any path.
 */
@NullMarked
package dev.lbkit.examples.broker;

import org.jspecify.annotations.NullMarked;
