package dev.lbkit.core;

import dev.lbkit.hashing.Placement;
import dev.lbkit.hashing.PlacementType;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Routes a request by its key (or client IP) on a consistent hash ring of the servers (see {@link
 * ServerPicker#consistentHash}). The ring holds every server, healthy or not, each weighing its
 * {@link Server#weight()} (capped at {@link Placement#MAX_WEIGHT}); a lookup skips unhealthy ones
 * in the ring's probe order, so a health change moves only that server's keys and costs no rebuild.
 * Membership and weight changes change the ring incrementally, on the changing thread.
 */
final class PlacementPicker implements ServerPicker, ServerWatcher {

  private final RoundRobin keyless;
  private final Placement<Server> placement;
  private final Object writeLock = new Object();
  private volatile List<Server> servers;

  PlacementPicker(List<Server> servers) {
    List<Server> all = Membership.validated(servers);
    this.keyless = new RoundRobin(all);
    synchronized (writeLock) {
      // Watch before the ring reads the weights, so no change slips between: one made meanwhile
      // waits for the lock and re-weighs the ring built here.
      all.forEach(s -> s.watch(this));
      this.placement = PlacementType.RING.create(all, PlacementPicker::weightOf);
      this.servers = all;
    }
  }

  static int weightOf(Server server) {
    return Math.min(server.weight(), Placement.MAX_WEIGHT);
  }

  /** Round robin: a pick without a request has no key to hash. */
  @Override
  public @Nullable Server next() {
    return keyless.next();
  }

  @Override
  public @Nullable Server next(Request request) {
    String key = keyOf(request);
    return key == null ? keyless.next() : placement.getNode(key, Server::isHealthy);
  }

  @Override
  public @Nullable Server next(Request request, Predicate<? super Server> admit) {
    String key = keyOf(request);
    if (key == null) {
      return ServerPicker.super.next(request, admit);
    }
    Objects.requireNonNull(admit, "admit");
    return placement.getNode(key, s -> s.isHealthy() && admit.test(s));
  }

  private static @Nullable String keyOf(Request request) {
    Objects.requireNonNull(request, "request");
    String key = request.key();
    return key != null ? key : request.clientIp();
  }

  @Override
  public List<Server> servers() {
    return servers;
  }

  @Override
  public void setServers(List<Server> next) {
    List<Server> all = Membership.validated(next);
    synchronized (writeLock) {
      Set<Server> keep = Collections.newSetFromMap(new IdentityHashMap<>());
      keep.addAll(all);
      for (Server gone : servers) {
        if (!keep.contains(gone)) { // an equal server of another instance replaces it
          gone.unwatch(this);
          placement.removeNode(gone);
        }
      }
      for (Server s : all) {
        s.watch(this);
        placement.addNode(s, weightOf(s));
      }
      servers = all;
      keyless.setServers(all);
    }
  }

  /**
   * A weight change re-weighs the server on the ring; health is read at lookup instead. A change of
   * an instance that {@link #setServers} replaced with an equal one meanwhile is not ours: the ring
   * names nodes by id, and re-adding it would put the old instance back in the new one's place.
   */
  @Override
  public void serverChanged(Server server) {
    synchronized (writeLock) {
      int weight = placement.weight(server);
      if (weight != 0 && weight != weightOf(server) && holds(server)) {
        placement.addNode(server, weightOf(server));
      }
    }
  }

  /** Whether {@code server} itself, not only an equal one, is one of ours; O(n), on a change. */
  @SuppressWarnings("ReferenceEquality") // an equal server of another instance is not ours
  private boolean holds(Server server) {
    for (Server s : servers) {
      if (s == server) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "ConsistentHash" + servers();
  }
}
