/**
 * The pool coordinator (seed 002) as a service: a queue of jobs in front of allowlisted sandrun
 * workers, each proving its Ed25519 identity to every health check.
 *
 * <ul>
 *   <li>{@link dev.lbkit.services.pool.WorkersFile} reads the allowlist ({@code workers.json});
 *       {@link dev.lbkit.services.pool.WorkerIdentity} holds the keys and the signed challenge.
 *   <li>The dispatcher places each job on the least-loaded proven worker under that worker's own
 *       {@code max_concurrent_jobs} (lbkit's per-server caps), follows it through sandrun's
 *       asynchronous protocol, and moves it to another worker when its worker fails it.
 *   <li>The HTTP layer answers the seed's endpoints on the service kit and streams outputs through
 *       the shared HTTP forwarder.
 * </ul>
 */
@NullMarked
package dev.lbkit.services.pool;

import org.jspecify.annotations.NullMarked;
