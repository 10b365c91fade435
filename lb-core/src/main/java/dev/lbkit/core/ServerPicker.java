package dev.lbkit.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Picks one healthy server for each request. Every balancing algorithm in lbkit implements this, so
 * callers (and the contract tests) can treat them alike.
 *
 * <p>Implementations are safe to use from any number of threads. {@link #next()} never blocks and
 * never returns a server that was unhealthy before the call started; it returns null only when no
 * server is healthy. {@link #setServers} may run at any time, concurrently with picks.
 */
public interface ServerPicker {

  /**
   * Picks a healthy server.
   *
   * @return the server to use, or null when no server is healthy (or there are none)
   */
  @Nullable Server next();

  /** Returns all servers this picker chooses among, healthy or not, in list order. */
  List<Server> servers();

  /**
   * Replaces the servers this picker chooses among. Picks already under way finish on the old list;
   * picks that start after this method returns use the new one. Per-server state such as connection
   * counts lives on the {@link Server}, so servers kept across the change keep it.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same {@link Server#id()}
   */
  void setServers(List<Server> servers);
}
