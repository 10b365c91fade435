package dev.lbkit.core;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A standalone {@link ServerPicker}: a {@link Policy} over the healthy servers of a {@link
 * Membership}. Every public picker but the consistent-hash one is one of these. The policy's state
 * type stays private to it (public pickers extend this class, and their supertypes must not name
 * package-private types).
 */
class PolicyPicker implements ServerPicker {

  final Policy<Object> policy;
  final Membership<Object> membership;

  @SuppressWarnings("unchecked") // the state a policy derives only ever goes back to that policy
  PolicyPicker(List<Server> servers, Policy<?> policy) {
    this.policy = (Policy<Object>) policy;
    this.membership = new Membership<>(servers, this.policy::derive);
  }

  @Override
  public @Nullable Server next() {
    return next(Request.empty());
  }

  @Override
  public @Nullable Server next(Request request) {
    Objects.requireNonNull(request, "request");
    Membership.Snapshot<Object> snapshot = membership.current();
    Server[] healthy = snapshot.healthy;
    if (healthy.length == 0) {
      return null;
    }
    return healthy[policy.propose(snapshot.derived, healthy, request)];
  }

  @Override
  public List<Server> servers() {
    return membership.current().all;
  }

  @Override
  public void setServers(List<Server> servers) {
    membership.replace(servers);
  }

  @Override
  public String toString() {
    return policy.name() + servers();
  }
}
