package dev.lbkit.core;

import dev.lbkit.hashing.BoundedLoad;
import dev.lbkit.hashing.Memento;
import dev.lbkit.hashing.Placement;
import dev.lbkit.hashing.PlacementType;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Routes a request by its key (or client IP) on a placement of the healthy servers (a consistent
 * hash ring by default; see {@link ServerPicker#consistentHash} and {@link
 * LoadBalancer.Builder#placement}). Each server weighs its {@link Server#weight()} (capped at
 * {@link Placement#MAX_WEIGHT}). With a balance factor, the placement is a {@link BoundedLoad}
 * whose load is each server's active connections. The placement is rebuilt when the healthy servers
 * or their weights change, never per pick.
 */
final class PlacementPicker extends SnapshotPicker<Placement<Server>> {

  private final RoundRobin keyless;
  private final Predicate<Server> usable; // healthy, unless this is the facade's panic picker

  /** A ring without bounded loads: {@link ServerPicker#consistentHash}. */
  PlacementPicker(List<Server> servers) {
    this(servers, PlacementType.RING, 0, false);
  }

  /**
   * @param balanceFactor the bounded-load factor, above 1; 0 for none
   * @param ignoreHealth whether to count every server as healthy (the facade's panic picker)
   */
  PlacementPicker(
      List<Server> servers, PlacementType type, double balanceFactor, boolean ignoreHealth) {
    super(membership(servers, type, balanceFactor));
    this.keyless = new RoundRobin(servers, 0, ignoreHealth);
    this.usable = ignoreHealth ? server -> true : Server::isHealthy;
  }

  private static Membership<Placement<Server>> membership(
      List<Server> servers, PlacementType type, double balanceFactor) {
    return new Membership<>(
        servers, (all, previous) -> placementOf(type, all, balanceFactor, previous), true);
  }

  /**
   * The placement of {@code all}. A Memento placement depends on its history, so it is not rebuilt
   * but changed: a copy of the published one loses the servers that left and gains those that
   * joined, in name order; the copy is published only if its snapshot wins, so a stale rebuild
   * never touches a published placement. The others depend only on the set and are built anew.
   */
  private static Placement<Server> placementOf(
      PlacementType type,
      Server[] all,
      double balanceFactor,
      @Nullable Placement<Server> previous) {
    Placement<Server> placement;
    Placement<Server> base =
        previous instanceof BoundedLoad ? ((BoundedLoad<Server>) previous).base() : previous;
    if (base instanceof Memento) { // only a MEMENTO picker has one
      Memento<Server> changed = ((Memento<Server>) base).copy();
      Set<Server> keep = new HashSet<>(Arrays.asList(all));
      for (Server present : changed.nodes()) {
        if (!keep.contains(present)) {
          changed.removeNode(present);
        }
      }
      Server[] joining = all.clone();
      Arrays.sort(joining, Comparator.comparing(Server::id));
      for (Server server : joining) {
        changed.addNode(server, weightOf(server));
      }
      placement = changed;
    } else {
      placement = type.create(Arrays.asList(all), PlacementPicker::weightOf);
    }
    return balanceFactor > 0
        ? new BoundedLoad<>(placement, balanceFactor, Server::activeConnections, Server::isHealthy)
        : placement;
  }

  private static int weightOf(Server server) {
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
    return key == null ? keyless.next() : membership.current().derived.getNode(key, usable);
  }

  @Override
  public @Nullable Server next(Request request, Predicate<? super Server> admit) {
    String key = keyOf(request);
    if (key == null) {
      return super.next(request, admit);
    }
    return membership.current().derived.getNode(key, s -> usable.test(s) && admit.test(s));
  }

  private static @Nullable String keyOf(Request request) {
    Objects.requireNonNull(request, "request");
    String key = request.key();
    return key != null ? key : request.clientIp();
  }

  @Override
  public void setServers(List<Server> servers) {
    membership.replace(servers);
    keyless.setServers(servers);
  }

  @Override
  public String toString() {
    return "ConsistentHash" + servers();
  }
}
