package dev.lbkit.core;

import dev.lbkit.core.internal.AffinityCookies;
import dev.lbkit.hashing.ConsistentHash;
import dev.lbkit.hashing.Placement;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A balancer's pick loop: reads the routing table once, asks affinity and then the algorithm for a
 * candidate, and admits it on the backend it already holds, walking on from a refused proposal in
 * the table's order, each candidate at most once (Finagle's {@code Balancer} loop is the model: the
 * algorithm never calls back). Only the admitted server's rate-limit token is taken; a lease takes
 * its concurrency slot atomically with the admission.
 *
 * <p>Cost, with no affinity and no limits: one volatile read of the table, the policy's proposal
 * and about four volatile reads of the proposed backend; a refusal when no server is healthy is
 * O(1). No lock, no allocation.
 */
final class Router {

  private final Roster roster;
  private final Policy<Object> policy;
  private final boolean byPlacement;
  private final boolean sticky;
  private final AffinityCookies cookies;
  private final @Nullable SessionAffinity affinity;
  private final Ticker ticker;
  private final boolean panicCheck;
  private final Admission[] shared = new Admission[4]; // [lease][panic], for picks with no skips

  @SuppressWarnings("unchecked") // a policy's state type is private to its table
  Router(
      Roster roster,
      Policy<?> policy,
      boolean byPlacement,
      boolean sticky,
      AffinityCookies cookies,
      @Nullable SessionAffinity affinity,
      Ticker ticker,
      boolean panicCheck) {
    this.roster = roster;
    this.policy = (Policy<Object>) policy;
    this.byPlacement = byPlacement;
    this.sticky = sticky;
    this.cookies = cookies;
    this.affinity = affinity;
    this.ticker = ticker;
    this.panicCheck = panicCheck;
    for (int i = 0; i < 4; i++) {
      shared[i] = new Admission(this, i >= 2, (i & 1) != 0, null);
    }
  }

  /**
   * Chooses an admissible backend for {@code request}, taking its token (and, for a lease, its
   * slot); null when none is admissible.
   *
   * @param tried servers not to offer (failover), or null
   */
  @Nullable Backend choose(Request request, boolean lease, @Nullable List<Server> tried) {
    RoutingTable table = panicCheck ? roster.table(ticker.read()) : roster.table();
    Admission admit =
        tried == null
            ? shared[(lease ? 2 : 0) + (table.panic ? 1 : 0)]
            : new Admission(this, lease, table.panic, tried);
    if (sticky) {
      AffinityCookies.Token cookie =
          cookies.parse(request.cookie(SessionAffinity.DEFAULT_COOKIE_NAME));
      if (cookie != null) { // an unknown or forged one finds nothing: normal routing
        Backend pinned = roster.byCookie(cookie);
        if (pinned != null && admit.test(pinned)) {
          return pinned;
        }
      }
      String ip = request.clientIp();
      if (ip != null) {
        ConsistentHash<Backend> ring = roster.ipRing();
        return ring == null || table.candidates.length == 0 ? null : ring.getNode(ip, admit);
      }
    }
    SessionAffinity pins = affinity;
    if (pins != null
        && (pins.method() == SessionAffinity.Method.COOKIE || pins.affinityKey(request) != null)) {
      if (pins.isStrict()) { // a pin is never moved: its server or nothing
        Server held = pins.pinned(request, true);
        if (held != null) {
          Backend backend = roster.backend(held);
          return backend != null && admit.test(backend) ? backend : null;
        }
      }
      Optional<Server> pinned = pins.isStrict() ? Optional.empty() : pins.getServer(request);
      if (pinned.isPresent()) {
        Backend backend = roster.backend(pinned.get());
        if (backend != null && admit.test(backend)) {
          return backend;
        }
      }
      Backend chosen = algorithm(table, request, admit);
      if (chosen != null) {
        pins.pin(request, chosen.server);
      }
      return chosen;
    }
    return algorithm(table, request, admit);
  }

  /** The algorithm's proposal, then the walk on from it; O(1) when there is no candidate. */
  private @Nullable Backend algorithm(RoutingTable table, Request request, Admission admit) {
    Backend[] backends = table.backends;
    int n = backends.length;
    if (n == 0) {
      return null;
    }
    if (byPlacement) {
      String key = request.key();
      if (key == null) {
        key = request.clientIp();
      }
      Placement<Backend> placement = roster.placement();
      if (key != null && placement != null) {
        return placement.getNode(key, admit);
      }
    }
    Object state = table.state;
    int first = policy.propose(state, table.candidates, request);
    if (admit.test(backends[first])) {
      return backends[first];
    }
    for (int step = 1; step < n; step++) {
      int i = first + step;
      Backend b = backends[i < n ? i : i - n];
      if (admit.test(b)) {
        return b;
      }
    }
    return null;
  }

  /**
   * Admits the one member {@code b}, taking its token (and, for a lease, its slot): the checks of
   * {@link #choose} without the choosing. Returns whether it was admitted.
   */
  boolean admitOne(Backend b, boolean lease) {
    RoutingTable table = panicCheck ? roster.table(ticker.read()) : roster.table();
    return shared[(lease ? 2 : 0) + (table.panic ? 1 : 0)].test(b);
  }

  /** Whether the balancer panics now, by the table a pick would read. */
  boolean panics() {
    return (panicCheck ? roster.table(ticker.read()) : roster.table()).panic;
  }

  /** Whether health and ejection let {@code b} in: always while the balancer panics. */
  private boolean inRotation(Backend b, boolean panic) {
    return panic || (b.server.isHealthy() && !b.isEjected(ticker));
  }

  /**
   * The admission check the loop applies to each candidate: a member, not draining, in rotation,
   * under its cap, with a token. For a lease it takes the slot first and gives it back on a later
   * refusal.
   */
  static final class Admission implements Predicate<Backend> {
    private final Router router;
    private final boolean lease;
    private final boolean panic;
    private final @Nullable List<Server> tried;

    Admission(Router router, boolean lease, boolean panic, @Nullable List<Server> tried) {
      this.router = router;
      this.lease = lease;
      this.panic = panic;
      this.tried = tried;
    }

    @Override
    public boolean test(Backend b) {
      if (!b.member || b.draining || !router.inRotation(b, panic)) {
        return false;
      }
      List<Server> skip = tried;
      if (skip != null && skip.contains(b.server)) {
        return false;
      }
      int cap = b.maxConcurrent;
      if (!lease) { // with no cap, the count (written by every lease) is not even read
        return (cap == Integer.MAX_VALUE || b.server.activeConnections() < cap) && b.takeToken();
      }
      if (!b.server.tryConnectionOpened(cap)) {
        return false;
      }
      // Look at the drain flag again now that the slot is taken: a drain that saw no connections
      // has set it before looking, so one of the two sees the other.
      if (b.draining || !b.member || !b.takeToken()) {
        b.server.connectionClosed();
        return false;
      }
      return true;
    }
  }
}
