/**
 * The seed's trusted pool coordinator (seed 002) as a small embedding of lbkit: {@link
 * dev.lbkit.examples.pool.PoolCoordinator} dispatches jobs to the least-loaded of its allowlisted
 * {@link dev.lbkit.examples.pool.PoolWorker}s under a per-worker cap, queues the rest in FIFO
 * order, re-dispatches a job whose worker fails, and drains workers; every health probe is an
 * Ed25519 challenge, so only the holder of an allowlisted key is ever used.
 *
 * <h2>What lbkit does here</h2>
 *
 * <ul>
 *   <li>{@code LoadBalancer} with {@code LEAST_CONNECTIONS} and {@code maxConcurrent(cap)}: {@code
 *       tryAcquire} grants a {@code Lease} (a job slot) on the least-loaded admissible worker, or
 *       nothing when all are full; {@code eject} benches a worker whose job failed; {@code drain}
 *       lets a worker finish and leave.
 *   <li>{@code HealthChecker} with a custom {@code Probe} (the challenge) and an injectable {@code
 *       Scheduler}: workers start unhealthy and turn healthy on their first valid signature.
 * </ul>
 *
 * <p>What is the coordinator's own: the FIFO queue and the job records (one lock; no thread waits
 * for a slot), and the HTTP API.
 */
@NullMarked
package dev.lbkit.examples.pool;

import org.jspecify.annotations.NullMarked;
