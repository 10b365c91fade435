package dev.lbkit.core;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Least connections: the healthy server with the fewest {@link Server#activeConnections()}; among
 * servers tied for fewest, the one first in round-robin order (the scan starts one server further
 * on each pick), so with no connections open the picks are a plain round robin.
 *
 * <p>Callers report connections with {@link #connect} and {@link #disconnect}; the count lives on
 * the {@link Server}, so it is shared with every other balancer holding the server and survives
 * membership changes (a connection opened before a server was removed can still be closed).
 *
 * <p>{@link #next()}: O(h) for h healthy servers (one volatile read each, stopping early at a
 * server with no connections), one atomic increment, no allocation, no lock. Counts read during the
 * scan may change before it ends; the pick is the least loaded server as of the reads.
 */
public final class LeastConnections extends PolicyPicker {

  /**
   * Creates a least-connections balancer over {@code servers}.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public LeastConnections(List<Server> servers) {
    super(servers, new LeastPolicy(LeastPolicy.Measure.CONNECTIONS));
  }

  /**
   * Returns the healthy server with the fewest active connections, ties in round-robin order, or
   * null when none is healthy.
   */
  @Override
  public @Nullable Server next() {
    return super.next();
  }

  /**
   * Counts one more active connection on {@code server}.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public void connect(Server server) {
    Objects.requireNonNull(server, "server").connectionOpened();
  }

  /**
   * Counts one connection fewer on {@code server}; the count never goes below zero.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public void disconnect(Server server) {
    Objects.requireNonNull(server, "server").connectionClosed();
  }
}
