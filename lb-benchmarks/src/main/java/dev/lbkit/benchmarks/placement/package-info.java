/**
 * The placement report: every lbkit placement ({@code ConsistentHash}, {@code Maglev}, {@code
 * Rendezvous}, {@code Memento}, {@code BoundedLoad} over the ring and over Maglev) beside Guava's
 * and hash4j's jump hashes, measured for lookup, build and change cost (JMH), balance and
 * disruption (10^6 keys), and written into {@code docs/hashing.md} by {@link
 * dev.lbkit.benchmarks.placement.PlacementReport}.
 *
 * <p>What is measured is listed once, in {@link dev.lbkit.benchmarks.placement.Candidates}: a new
 * placement joins every table with one line there. Each candidate is adapted to one small
 * interface, {@link dev.lbkit.benchmarks.placement.Mapping}, that maps a key to a {@link
 * dev.lbkit.benchmarks.placement.Node} and adds or removes nodes; the peers map to bucket numbers,
 * which the adapters turn into nodes with one array load. The quality calculations ({@link
 * dev.lbkit.benchmarks.placement.Quality}) are pure functions of owner arrays, tested on hand-made
 * inputs.
 *
 * <p>Nothing here is thread-safe or library code: hash4j's {@code jumpHash} and {@code
 * jumpBackAnchorHash} instances carry a mutable random generator, so every mapping belongs to one
 * thread (JMH runs the lookups on one thread).
 */
@NullMarked
package dev.lbkit.benchmarks.placement;

import org.jspecify.annotations.NullMarked;
