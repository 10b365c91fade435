/**
 * Key to node placement: {@link dev.lbkit.hashing.ConsistentHash} and the stable hash it uses,
 * {@link dev.lbkit.hashing.KeyHash}.
 *
 * <h2>Concurrency</h2>
 *
 * Every placement keeps its state in one immutable snapshot published through a volatile field.
 * Lookups read that field once and never lock, so they may run from any number of threads while
 * another thread adds or removes nodes; they see either the whole old snapshot or the whole new
 * one, never a half-built one. Membership changes are serialized among themselves.
 *
 * <h2>Stability</h2>
 *
 * Where a key lands depends only on the key, the set of node names and the format of {@link
 * dev.lbkit.hashing.KeyHash}: not on insertion order, the JVM, the machine or the release. Changing
 * the hash would move users' keys, so it is versioned ({@link dev.lbkit.hashing.KeyHash#FORMAT})
 * and pinned by golden test vectors. One exception, by design: {@link dev.lbkit.hashing.Memento} (a
 * jump hash that survives removing any node, over {@link dev.lbkit.hashing.MementoHash}) starts
 * from a layout that depends only on the node set, but its later changes follow their order, the
 * price of constant-time lookups with zero collateral moves.
 */
@NullMarked
package dev.lbkit.hashing;

import org.jspecify.annotations.NullMarked;
