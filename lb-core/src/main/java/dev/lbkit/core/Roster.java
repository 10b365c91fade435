package dev.lbkit.core;

import dev.lbkit.core.internal.AffinityCookies;
import dev.lbkit.hashing.ConsistentHash;
import dev.lbkit.hashing.Placement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A balancer's members and its single writer: every change of membership, drain, ejection, and (as
 * the {@link ServerWatcher} of its servers) health and weight, builds the next {@link RoutingTable}
 * under one lock and installs it with one volatile write. Readers never take the lock. The
 * placements a table refers to (the consistent-hash placement of the algorithm, the client-IP ring
 * of {@code sticky}) are changed here incrementally, one server at a time; a lookup in them may run
 * a moment ahead of the table, which admission covers ({@link Backend#member}, {@link
 * Backend#draining}).
 *
 * <p>Nothing here calls user code: joins and leaves are handed back to the caller (or, for a drain
 * that ends on a closing thread, to {@code onRemoved}) to tell listeners outside the lock.
 */
final class Roster implements ServerWatcher {

  private final Policy<Object> policy;
  private final @Nullable Placement<Backend> placement; // CONSISTENT_HASH: the non-draining members
  private final @Nullable ConsistentHash<Backend> ipRing; // sticky: the non-draining members
  private final Function<Server, Backend> newBackend;
  private final Consumer<Server> onRemoved;
  private final double panicThreshold; // 0: off
  private final Ticker ticker;
  private final Object writeLock = new Object();
  private final AtomicBoolean rechecking = new AtomicBoolean();
  private final Map<Server, Backend> byId = new ConcurrentHashMap<>();
  // Keyed by the cookie's token, whose equals compares in constant time.
  private final Map<AffinityCookies.Token, Backend> byCookie = new ConcurrentHashMap<>();
  private volatile RoutingTable table;
  private long retiredRequests; // under the lock: requests counted on members that have left
  private long joined; // under the lock: backends registered so far, for their order

  @SuppressWarnings("unchecked") // a policy's state type is private to its table
  Roster(
      List<Server> initial,
      Policy<?> policy,
      @Nullable Function<List<Backend>, Placement<Backend>> placementOf,
      boolean sticky,
      Function<Server, Backend> newBackend,
      Consumer<Server> onRemoved,
      double panicThreshold,
      Ticker ticker) {
    this.policy = (Policy<Object>) policy;
    this.newBackend = newBackend;
    this.onRemoved = onRemoved;
    this.panicThreshold = panicThreshold;
    this.ticker = ticker;
    synchronized (writeLock) {
      Backend[] members = new Backend[initial.size()];
      for (int i = 0; i < members.length; i++) {
        members[i] = register(initial.get(i));
      }
      List<Backend> all = Arrays.asList(members);
      // Built whole from the initial members: one sort, not one merge per server.
      this.placement = placementOf == null ? null : placementOf.apply(all);
      this.ipRing = sticky ? new ConsistentHash<>(all) : null;
      this.table = build(members, null);
    }
  }

  /** Returns the current table: one volatile read. */
  RoutingTable table() {
    return table;
  }

  /**
   * Returns the current table, first rebuilding it (on this thread, if no other thread is at it)
   * when its panic verdict has run out: an ejection it counted has ended by the clock.
   */
  RoutingTable table(long now) {
    RoutingTable t = table;
    if (t.recheckAt == RoutingTable.NEVER || now - t.recheckAt < 0) {
      return t;
    }
    if (rechecking.compareAndSet(false, true)) { // exactly one picker rebuilds; others go on
      try {
        synchronized (writeLock) {
          if (table == t) {
            publish(t.members);
          }
        }
      } finally {
        rechecking.set(false);
      }
    }
    return table;
  }

  /**
   * Returns the requests routed over the balancer's life: those of the members now plus those of
   * members that left, counted when they left. Read under the lock that removals take, so it never
   * goes down; a request routed to a server in the instant it leaves may be missed. O(n).
   */
  long totalRequests() {
    synchronized (writeLock) {
      long total = retiredRequests;
      for (Backend b : table.members) {
        total += b.requests.sum();
      }
      return total;
    }
  }

  /** Returns the backend of {@code server} (by id), or null if it is not a member. */
  @Nullable Backend backend(Server server) {
    return byId.get(server);
  }

  /** Returns the member whose affinity cookie is {@code token}, or null. */
  @Nullable Backend byCookie(AffinityCookies.Token token) {
    return byCookie.get(token);
  }

  /** The client-IP ring of a sticky balancer, or null. */
  @Nullable ConsistentHash<Backend> ipRing() {
    return ipRing;
  }

  /** The algorithm's placement, for {@link Algorithm#CONSISTENT_HASH}, or null. */
  @Nullable Placement<Backend> placement() {
    return placement;
  }

  // ---------------------------------------------------------------- membership

  /**
   * Adds {@code server}, or gives the member with its id the server's weight.
   *
   * @return whether the server joined or took a new weight (listeners hear of it)
   * @throws IllegalStateException if a server with the same id is draining
   */
  boolean add(Server server) {
    Backend present;
    synchronized (writeLock) {
      present = byId.get(server);
      if (present == null) {
        Backend joined = join(server);
        Backend[] members = Arrays.copyOf(table.members, table.members.length + 1);
        members[members.length - 1] = joined;
        publishOneChanged(members, joined);
        return true;
      }
      if (present.draining) {
        throw new IllegalStateException("server: " + server.id() + " (is draining)");
      }
    }
    return reweigh(present.server, server.weight()); // outside the lock: see reweigh
  }

  /**
   * Replaces the members with {@code servers} in one publish: new ids join, missing ids leave (at
   * once when idle, else after draining), present ids take the given weight.
   *
   * @return the servers that joined or took a new weight, and those that left at once
   */
  Changes setServers(Collection<Server> servers) {
    List<Server> next = Membership.validated(new ArrayList<>(servers));
    Changes changes = new Changes();
    List<Backend> draining = new ArrayList<>();
    List<Server> reweighed = new ArrayList<>();
    synchronized (writeLock) {
      Map<Server, Server> wanted = new HashMap<>();
      next.forEach(s -> wanted.put(s, s));
      List<Backend> members = new ArrayList<>(next.size());
      for (Backend b : table.members) {
        Server kept = wanted.remove(b.server);
        if (kept != null) {
          members.add(b); // a draining one wanted again stays draining: its future is promised
          if (!b.draining && b.server.weight() != kept.weight()) {
            reweighed.add(kept);
          }
        } else if (b.draining) {
          members.add(b); // leaves when idle, as it was going to
        } else if (b.server.activeConnections() == 0) {
          leave(b);
          changes.removed.add(b);
        } else {
          startDrain(b);
          draining.add(b);
          members.add(b);
        }
      }
      for (Server s : next) {
        if (wanted.containsKey(s)) {
          members.add(join(s));
          changes.added.add(s);
        }
      }
      publish(members.toArray(new Backend[0]));
    }
    draining.forEach(this::watchDrain); // outside the lock: a hook may finish a drain at once
    for (Server given : reweighed) { // outside the lock: see reweigh
      Backend member = byId.get(given);
      if (member != null && reweigh(member.server, given.weight())) {
        changes.added.add(member.server);
      }
    }
    return changes;
  }

  /** What {@link #setServers} changed, for the listeners. */
  static final class Changes {
    final List<Server> added = new ArrayList<>();
    final List<Backend> removed = new ArrayList<>();
  }

  /**
   * Removes the backend of {@code server} if it is {@code expected} (or any, if null).
   *
   * @return the backend removed, or null if none was
   */
  @Nullable Backend remove(Server server, @Nullable Backend expected) {
    synchronized (writeLock) {
      Backend removed = byId.get(server);
      if (removed == null || (expected != null && removed != expected)) {
        return null;
      }
      Backend[] members = new Backend[table.members.length - 1];
      int n = 0;
      for (Backend b : table.members) {
        if (b != removed) {
          members[n++] = b;
        }
      }
      leave(removed);
      publishOneChanged(members, removed);
      return removed;
    }
  }

  /**
   * Drains {@code server}: out of the candidates and placements now, removed once idle.
   *
   * @return the drain's future; complete if the server is not a member
   */
  CompletableFuture<Void> drain(Server server) {
    Backend backend;
    synchronized (writeLock) {
      backend = byId.get(server);
      if (backend == null) {
        return CompletableFuture.completedFuture(null);
      }
      if (backend.draining) {
        return backend.drained;
      }
      startDrain(backend);
      publish(table.members);
    }
    watchDrain(backend); // outside the lock: the idle hook may finish the drain at once
    return backend.drained;
  }

  private void startDrain(Backend backend) {
    backend.draining = true;
    forgetPlacement(backend);
  }

  /**
   * Finishes the drain of {@code backend} once its server has no connection: whoever closes the
   * server's last connection (this balancer, another one holding the server, or an acquire giving
   * back a slot it took provisionally) runs the hook.
   */
  private void watchDrain(Backend backend) {
    Runnable finish = () -> finishDrain(backend);
    CompletableFuture<Void> unused =
        backend.drained.whenComplete((done, error) -> backend.server.stopTellingWhenIdle(finish));
    backend.server.whenIdle(finish);
  }

  /** Removes a draining backend whose server is idle, and completes its drain. */
  private void finishDrain(Backend backend) {
    if (!backend.draining || backend.server.activeConnections() != 0 || backend.drained.isDone()) {
      return;
    }
    Backend removed = backend.member ? remove(backend.server, backend) : null;
    if (removed != null) {
      onRemoved.accept(removed.server);
    }
    backend.drained.complete(null);
  }

  /**
   * Completes the drain future of a backend that was removed, unless it is draining with
   * connections still open: then the idle hook completes it when the last one closes.
   */
  static void settleRemoved(Backend removed) {
    if (!removed.draining || removed.server.activeConnections() == 0) {
      removed.drained.complete(null);
    }
  }

  // ---------------------------------------------------------------- ejection

  /**
   * Ejects {@code server} until {@code deadline} unless more than {@code maxEjectionPercent} of the
   * members that are not draining (at least one) would be ejected.
   *
   * @return whether it is now ejected; false if it is not a member or the cap refuses
   */
  boolean eject(Server server, long deadline, int maxEjectionPercent) {
    synchronized (writeLock) {
      Backend target = byId.get(server);
      if (target == null) {
        return false;
      }
      long now = ticker.read();
      if (!target.draining && !target.ejectedAt(now)) {
        int routable = 0;
        int ejected = 0;
        for (Backend b : table.members) {
          if (!b.draining) {
            routable++;
            if (b.ejectedAt(now)) {
              ejected++;
            }
          }
        }
        int allowed = Math.max(1, (int) ((long) routable * maxEjectionPercent / 100));
        if (ejected >= allowed) {
          return false;
        }
      }
      target.ejectUntil(deadline);
      republishVerdict();
      return true;
    }
  }

  /** Ends {@code server}'s ejection; returns whether it was ejected. */
  boolean uneject(Server server) {
    synchronized (writeLock) {
      Backend backend = byId.get(server);
      if (backend == null) {
        return false;
      }
      boolean wasEjected = backend.ejectedAt(ticker.read());
      backend.clearEjection();
      republishVerdict();
      return wasEjected;
    }
  }

  /** Republishes when the panic verdict may depend on ejections; under the lock. */
  private void republishVerdict() {
    if (panicThreshold > 0) {
      publish(table.members);
    }
  }

  // ---------------------------------------------------------------- health and weight

  @Override
  @SuppressWarnings("ReferenceEquality") // an equal server of another instance is not ours
  public void serverChanged(Server server) {
    synchronized (writeLock) {
      Backend backend = byId.get(server);
      if (backend == null || backend.server != server) {
        return; // not ours (any more), or an equal server of another instance
      }
      if (placement != null && !backend.draining) {
        placement.addNode(backend, PlacementPicker.weightOf(server)); // re-weighs; idempotent
      }
      if (panicThreshold > 0 || backend.draining) {
        publish(table.members); // the verdict counts every member
      } else {
        table = withChanged(table, backend, true); // a member, not draining
      }
    }
  }

  /**
   * The table after {@code b}'s health or weight changed: the previous one with {@code b} put in or
   * taken out of the candidates, or given its weight, by array copies (O(n) without touching the
   * other backends, which at 10^5 servers is most of a full rebuild's cost), and the policy's state
   * derived again; the table itself when nothing moved. {@code eligible} says whether {@code b} may
   * be a candidate at all (a member that is not draining); its health decides the rest. Under the
   * lock, with no panic threshold.
   */
  private RoutingTable withChanged(RoutingTable t, Backend b, boolean eligible) {
    Backend[] backends = t.backends;
    int at = -1;
    for (int i = 0; i < backends.length; i++) {
      if (backends[i] == b) {
        at = i;
        break;
      }
    }
    boolean up = eligible && b.server.isHealthy();
    int weight = b.server.weight();
    Backend[] nextBackends;
    Server[] nextCandidates;
    int[] nextWeights;
    if (up && at < 0) {
      int pos = insertionPoint(backends, b.order);
      nextBackends = inserted(backends, new Backend[backends.length + 1], pos, b);
      nextCandidates = inserted(t.candidates, new Server[backends.length + 1], pos, b.server);
      nextWeights = new int[backends.length + 1];
      System.arraycopy(t.weights, 0, nextWeights, 0, pos);
      nextWeights[pos] = weight;
      System.arraycopy(t.weights, pos, nextWeights, pos + 1, backends.length - pos);
    } else if (!up && at >= 0) {
      nextBackends = removed(backends, new Backend[backends.length - 1], at);
      nextCandidates = removed(t.candidates, new Server[backends.length - 1], at);
      nextWeights = new int[backends.length - 1];
      System.arraycopy(t.weights, 0, nextWeights, 0, at);
      System.arraycopy(t.weights, at + 1, nextWeights, at, backends.length - at - 1);
    } else if (at >= 0 && t.weights[at] != weight) {
      nextBackends = backends;
      nextCandidates = t.candidates;
      nextWeights = t.weights.clone();
      nextWeights[at] = weight;
    } else {
      return t; // nothing moved: a flip and its undo, or the weight of a server that is down
    }
    Object state = policy.derive(nextCandidates, t.state);
    return new RoutingTable(
        t.members,
        t.servers,
        nextBackends,
        nextCandidates,
        nextWeights,
        state,
        false,
        RoutingTable.NEVER);
  }

  /** The index at which a backend joined as {@code order} goes among {@code backends}. */
  private static int insertionPoint(Backend[] backends, long order) {
    int lo = 0;
    int hi = backends.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (backends[mid].order < order) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static <T> T[] inserted(T[] from, T[] to, int pos, T element) {
    System.arraycopy(from, 0, to, 0, pos);
    to[pos] = element;
    System.arraycopy(from, pos, to, pos + 1, from.length - pos);
    return to;
  }

  private static <T> T[] removed(T[] from, T[] to, int at) {
    System.arraycopy(from, 0, to, 0, at);
    System.arraycopy(from, at + 1, to, at, from.length - at - 1);
    return to;
  }

  /**
   * Gives the member {@code server} the weight {@code weight}; returns whether it changed. Never
   * under the lock: the weight is the server's, so setting it tells every table holding the server,
   * this one included, and taking another balancer's lock while holding ours could deadlock with
   * that balancer doing the same.
   */
  private static boolean reweigh(Server server, int weight) {
    if (server.weight() == weight) {
      return false;
    }
    server.setWeight(weight);
    return true;
  }

  // ---------------------------------------------------------------- building

  private Backend join(Server server) {
    Backend backend = register(server);
    if (placement != null) {
      placement.addNode(backend, PlacementPicker.weightOf(server));
    }
    if (ipRing != null) {
      ipRing.addNode(backend);
    }
    return backend;
  }

  /** Creates the backend of a joining server and makes it findable by id and cookie. */
  private Backend register(Server server) {
    Backend backend = newBackend.apply(server);
    backend.order = joined++;
    server.watch(this); // before the table reads its health: no flip slips between
    byId.put(server, backend);
    AffinityCookies.Token cookie = backend.cookie;
    if (cookie != null) {
      byCookie.put(cookie, backend);
    }
    return backend;
  }

  private void leave(Backend backend) {
    backend.member = false;
    retiredRequests += backend.requests.sum();
    backend.server.unwatch(this);
    byId.remove(backend.server, backend);
    AffinityCookies.Token cookie = backend.cookie;
    if (cookie != null) {
      byCookie.remove(cookie, backend);
    }
    forgetPlacement(backend);
    policy.forget(backend.server);
  }

  private void forgetPlacement(Backend backend) {
    if (placement != null) {
      placement.removeNode(backend);
    }
    if (ipRing != null) {
      ipRing.removeNode(backend);
    }
  }

  /**
   * Installs the table of {@code members}, which differ from the current ones by {@code changed}
   * alone (it joined at the end, or left): with no panic threshold, the current table with {@code
   * changed} appended to or taken out of its arrays, O(n) array copies that never touch the other
   * backends (a full build chases a pointer to each of them and its server: about 0.8 ms for an add
   * and a remove at 10^4 servers). Under the lock.
   */
  @SuppressWarnings("ReferenceEquality") // members' servers are distinct objects
  private void publishOneChanged(Backend[] members, Backend changed) {
    RoutingTable t = table;
    if (panicThreshold > 0) {
      publish(members);
      return;
    }
    Server[] servers = new Server[members.length];
    boolean joined = members.length > t.members.length;
    if (joined) {
      t.servers.toArray(servers);
      servers[servers.length - 1] = changed.server;
    } else {
      int n = 0;
      for (Server s : t.servers) {
        if (s != changed.server) {
          servers[n++] = s;
        }
      }
    }
    RoutingTable withMembers =
        new RoutingTable(
            members,
            Collections.unmodifiableList(Arrays.asList(servers)),
            t.backends,
            t.candidates,
            t.weights,
            t.state,
            false,
            RoutingTable.NEVER);
    // Joined: a healthy one goes in last (its order is the highest); left: out if it was in.
    table = withChanged(withMembers, changed, joined && !changed.draining);
  }

  /** Builds and installs the table of {@code members}; under the lock. */
  private void publish(Backend[] members) {
    table = build(members, table);
  }

  private RoutingTable build(Backend[] members, @Nullable RoutingTable previous) {
    long now = panicThreshold > 0 ? ticker.read() : 0;
    int routable = 0;
    int inRotation = 0;
    int healthy = 0;
    long recheckAt = RoutingTable.NEVER;
    for (Backend b : members) {
      if (b.draining) {
        continue;
      }
      routable++;
      boolean up = b.server.isHealthy();
      if (up) {
        healthy++;
      }
      if (panicThreshold > 0) {
        long until = b.ejectedUntil();
        boolean ejected = until != Backend.NOT_EJECTED && until - now > 0;
        if (ejected && (recheckAt == RoutingTable.NEVER || until - recheckAt < 0)) {
          recheckAt = until;
        }
        if (up && !ejected) {
          inRotation++;
        }
      }
    }
    boolean panic = panicThreshold > 0 && inRotation < panicThreshold * routable;
    Backend[] backends = new Backend[panic ? routable : healthy];
    int n = 0;
    for (Backend b : members) {
      if (!b.draining && (panic || b.server.isHealthy()) && n < backends.length) {
        backends[n++] = b;
      }
    }
    if (n < backends.length) { // a health flip raced the count: its own rebuild follows
      backends = Arrays.copyOf(backends, n);
    }
    Server[] candidates = new Server[n];
    int[] weights = new int[n];
    for (int i = 0; i < n; i++) {
      candidates[i] = backends[i].server;
      weights[i] = candidates[i].weight();
    }
    Object state =
        previous != null
                && Arrays.equals(previous.backends, backends)
                && Arrays.equals(previous.weights, weights)
            ? previous.state
            : policy.derive(candidates, previous == null ? null : previous.state);
    return new RoutingTable(members, backends, candidates, weights, state, panic, recheckAt);
  }

  /**
   * Runs {@code change} on the members under the write lock, under which backends are also created
   * and joined: a change made to every member misses no server joining meanwhile.
   */
  void withMembers(Consumer<Backend[]> change) {
    synchronized (writeLock) {
      change.accept(table.members);
    }
  }

  @Override
  public String toString() {
    return "Roster" + Objects.requireNonNull(table).servers;
  }
}
