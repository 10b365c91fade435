/**
 * Helpers behind the lbkit algorithms; not exported by {@code module-info}, so not API.
 *
 * <h2>Concurrency design</h2>
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
