/**
 * The broker's background jobs (seed 004): sync with the CSP, cleanup of pending deletions, and
 * expiry of old allocations. Each is a {@code run()} that the {@link
 * dev.lbkit.services.broker.jobs.JobScheduler} calls at its interval, the admin API calls on demand
 * and tests call on fake time. Every run is safe with other instances running the same job on one
 * store: each change is a conditional write.
 */
@NullMarked
package dev.lbkit.services.broker.jobs;

import org.jspecify.annotations.NullMarked;
