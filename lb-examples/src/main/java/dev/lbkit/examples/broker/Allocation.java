package dev.lbkit.examples.broker;

import java.time.Duration;

/**
 * One sandbox held by one track, as {@link SandboxBroker#allocate} returned it. An immutable value:
 * {@link #expiresIn()} is as of the call that returned it.
 *
 * @param sandboxId the sandbox's id (its server's {@code host:port})
 * @param trackId the track holding it
 * @param idempotencyKey the key it was allocated under; retries with the same track and key return
 *     this allocation while it lasts
 * @param expiresIn how long until the broker expires it, as of the call; never negative
 * @param replayed whether this call returned an allocation made earlier for the same key (an
 *     idempotent retry) rather than a new one
 */
public record Allocation(
    String sandboxId,
    String trackId,
    String idempotencyKey,
    Duration expiresIn,
    boolean replayed) {}
