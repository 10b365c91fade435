package dev.lbkit.core;

import java.util.List;

/**
 * A picker whose servers live in a {@link Membership}: what every algorithm shares (the server
 * list, its replacement, and the healthy snapshot the algorithm picks from).
 *
 * @param <S> what the algorithm precomputes from the healthy servers
 */
abstract class SnapshotPicker<S> implements ServerPicker {

  final Membership<S> membership;

  SnapshotPicker(Membership<S> membership) {
    this.membership = membership;
  }

  @Override
  public List<Server> servers() {
    return membership.current().all;
  }

  @Override
  public void setServers(List<Server> servers) {
    membership.replace(servers);
  }
}
