/**
 * Helpers behind {@code dev.lbkit.core} that are not part of lbkit's API: {@code module-info} does
 * not export this package, and its classes may change in any release.
 *
 * <ul>
 *   <li>{@link dev.lbkit.core.internal.HostNames}: the normal form of a server's host, parsed
 *       without any name lookup.
 *   <li>{@link dev.lbkit.core.internal.AffinityCookies}: affinity cookie values, a keyed MAC of a
 *       server's id, and their constant-time comparison.
 *   <li>{@link dev.lbkit.core.internal.AffinityKeys}: what an affinity table stores for a key, so
 *       that no key of any length costs more than a fixed number of bytes.
 *   <li>{@link dev.lbkit.core.internal.LeastConnectionsIndex}: exact least-connections picks over
 *       many servers without a scan.
 * </ul>
 *
 * <p>Every class here is immutable or thread-safe, and says which.
 *
 * <h2>Concurrency design of the indexes</h2>
 *
 * The structures here are lock-free indexes over a fixed array of slots, kept beside a truth they
 * can read (a slot's live count) rather than replacing it. Writers tell an index about changes;
 * readers search it and verify what they found against the truth before using it, repairing the
 * index when the two disagree. An index is therefore a hint that is exact once the changes it was
 * told about have been applied, and never worse than "as of the reads" while they are in flight.
 * See {@link dev.lbkit.core.internal.LeastConnectionsIndex} for the argument in full.
 */
@NullMarked
package dev.lbkit.core.internal;

import org.jspecify.annotations.NullMarked;
