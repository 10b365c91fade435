package dev.lbkit.core;

/**
 * Told when a server it watches changes in a way that routing depends on: its health or its weight.
 * What watches a server is what holds it in a routing table (a picker's membership, a balancer's
 * roster), so a change reaches only the tables that hold that server, and the watcher rebuilds its
 * table on the thread that made the change, before that change returns: no pick ever rebuilds, and
 * a pick that starts after {@link Server#setHealthy} returned sees the new table.
 *
 * <p>A server holds its watchers weakly: a picker that is dropped without being told is collected
 * as usual, and its entry is pruned at the server's next change of watchers.
 */
interface ServerWatcher {

  /**
   * Called after {@code server}'s health or weight changed, on the changing thread, which holds the
   * server's change lock meanwhile. Must not throw, must not call user code, and must not change
   * any server's health or weight; it may take the watcher's own writer lock.
   */
  void serverChanged(Server server);
}
