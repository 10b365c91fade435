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
 * </ul>
 *
 * <p>Every class here is immutable or thread-safe, and says which.
 */
@NullMarked
package dev.lbkit.core.internal;

import org.jspecify.annotations.NullMarked;
