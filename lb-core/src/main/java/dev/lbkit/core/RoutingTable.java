package dev.lbkit.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One immutable state of a {@link LoadBalancer}'s routing: its members, the candidates its
 * algorithm picks among, and what the algorithm derived from them. Built by the balancer's single
 * writer ({@link Roster}) on every change of membership, drain, health, weight or ejection, and
 * installed with one volatile write; a pick reads it once and never rebuilds it.
 *
 * <p>The candidates are the members that are not draining and are healthy, or, while the balancer
 * panics, every member that is not draining. Ejected servers stay candidates (an ejection ends by
 * the clock, with no change to publish); admission skips them. The panic verdict counts ejections
 * as of the build, so it is good until {@link #recheckAt}, the end of the first live ejection.
 */
final class RoutingTable {

  /** {@link #recheckAt} when the verdict depends on no ejection. */
  static final long NEVER = Backend.NOT_EJECTED;

  final Backend[] members; // in order of addition, draining ones included
  final List<Server> servers; // the members' servers, unmodifiable
  final Server[] candidates;
  final Backend[] backends; // the candidates' backends, index for index
  final int[] weights; // the candidates' weights, as the policy saw them
  final Object state; // what the policy derived from the candidates
  final boolean panic;
  final long recheckAt;

  RoutingTable(
      Backend[] members,
      Backend[] backends,
      Server[] candidates,
      int[] weights,
      Object state,
      boolean panic,
      long recheckAt) {
    this(members, serversOf(members), backends, candidates, weights, state, panic, recheckAt);
  }

  /** A table whose members (and so their servers' list) are those of another. */
  RoutingTable(
      Backend[] members,
      List<Server> servers,
      Backend[] backends,
      Server[] candidates,
      int[] weights,
      Object state,
      boolean panic,
      long recheckAt) {
    this.members = members;
    this.servers = servers;
    this.backends = backends;
    this.candidates = candidates;
    this.weights = weights;
    this.state = state;
    this.panic = panic;
    this.recheckAt = recheckAt;
  }

  private static List<Server> serversOf(Backend[] members) {
    Server[] all = new Server[members.length];
    for (int i = 0; i < members.length; i++) {
      all[i] = members[i].server;
    }
    return Collections.unmodifiableList(Arrays.asList(all));
  }
}
