package dev.lbkit.core;

import dev.lbkit.core.internal.AffinityCookies;
import dev.lbkit.hashing.BoundedLoad;
import dev.lbkit.hashing.Placement;
import dev.lbkit.hashing.PlacementType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The facade a service embeds: routes requests over a set of servers with one {@link Algorithm},
 * honouring health, drain, per-server rate limits and concurrency caps, session affinity, and
 * keeping stats.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder(servers)
 *     .algorithm(Algorithm.LEAST_CONNECTIONS)
 *     .sticky(true)          // affinity cookie, else client IP on a consistent hash ring
 *     .rateLimit(100)        // per server: 100 requests a second, burst 100
 *     .maxConcurrent(8)      // per server
 *     .build();
 *
 * Optional<Server> server = lb.route(request);           // just pick
 * try (Lease lease = lb.acquire(request)) { ... }         // pick and hold a slot, timed
 * String body = lb.execute(request, s -> call(s));        // with failover to other servers
 * CompletableFuture<String> later =
 *     lb.executeAsync(request, s -> callAsync(s));       // the same, over stages, never blocking
 * }</pre>
 *
 * <p>What failed says why: {@link NoServerAvailableException} (no admissible server, with its
 * {@link Refusal} and, when rate limits refused, a retry-after hint) and {@link FailoverException}
 * (tried and failed) are both {@link LoadBalancerException}s. Limits change at runtime, for every
 * server or one ({@link #setRateLimit(Server, double, long)}, {@link #setMaxConcurrent(Server,
 * int)}), and {@link #tryAcquire(Request, Server)} leases a server the caller chose.
 *
 * <h2>Admission</h2>
 *
 * A server is <em>admissible</em> for a request when it is healthy, not draining, not ejected,
 * under its concurrency cap, and has a rate-limit token (taken only from the server finally
 * chosen). Routing offers the algorithm's pick first and, if it is not admissible, the next servers
 * in the algorithm's order; {@code route} is empty (and {@code acquire} fails) only when no server
 * is admissible. Unless a panic threshold is set, it never returns an unhealthy or ejected server.
 *
 * <h2>Ejection and panic</h2>
 *
 * {@link #eject} takes a server out of rotation for a while, without touching its health or its
 * membership: passive health checks (such as {@code dev.lbkit.health.OutlierDetector}, fed by the
 * outcomes of leases) use it for servers whose calls keep failing. At most {@link
 * Builder#maxEjectionPercent} of the servers that are not draining are ejected at once (always at
 * least one).
 *
 * <p>With {@link Builder#panicThreshold} set to a share {@code p}, the balancer <em>panics</em>
 * while fewer than {@code p} of its servers that are not draining are healthy and not ejected: it
 * then routes over all of them as if every one were healthy and none ejected, rather than pile the
 * whole load on the few (Envoy's panic threshold). Drain, rate limits and concurrency caps still
 * hold in panic. Without a threshold (the default) a balancer with nothing healthy routes nothing.
 *
 * <h2>Affinity</h2>
 *
 * With {@code sticky(true)}, a request carrying the affinity cookie ({@link #affinityCookieName()}
 * set to {@link #affinityCookieValue(Server)}) goes to that cookie's server while it is admissible;
 * otherwise a request with a client IP goes to the IP's owner on a consistent hash ring of the
 * servers (the same in every balancer over the same servers, in any list order), or, if that server
 * is not admissible, to the next admissible one on the ring; otherwise the algorithm decides. A
 * caller that serves a request on a server other than its cookie's sets the cookie again: later
 * requests follow the new pin. With {@code affinity(SessionAffinity)} the given affinity pins
 * requests by its own key (a job id, say) and is re-pinned when its server is not admissible.
 *
 * <h2>Threads and cost</h2>
 *
 * Every method is thread-safe. The balancer keeps one immutable routing table (its members, the
 * candidates its algorithm picks among, what the algorithm derived from them), rebuilt by one
 * writer on every change of membership, drain, ejection, and of the health or weight of one of its
 * own servers (on the thread that made the change), and installed with one volatile write. A route
 * reads the table once and never locks or rebuilds: {@code route} with no affinity and no limits
 * costs the algorithm's proposal, about four volatile reads and two counter increments, and
 * allocates nothing; a refusal when no server is healthy is O(1) (the exception of a refused {@code
 * acquire} or {@code execute} then explains it: O(n)). It reads the clock for a server only while
 * that server is ejected. A health change of a server this balancer does not hold costs it nothing.
 * Waiting acquires take a lock only while servers are full. Listeners are called after the
 * bookkeeping of each event and outside every lock; see {@link LoadBalancerListener}.
 *
 * <p>Messages of the exceptions it throws name servers by id and never carry anything of a request
 * (its key, client IP, cookies or headers).
 */
public final class LoadBalancer {

  /*
   * The shape. A request travels one way: Router reads the Roster's RoutingTable once, affinity or
   * the algorithm's Policy proposes, Router admits on the Backend it holds, and a Lease records the
   * outcome into the Backend's counters, the balancer's totals and the Listeners. The Roster is
   * the single writer of the table; WaitQueue serves acquires that wait for a slot; Failover runs
   * execute(). Nothing but the Listeners calls user code, and they are called after the
   * bookkeeping of each event and outside every lock.
   *
   * Ejection. A server's ejection is one volatile long on its Backend: the ticker reading at which
   * it ends, or NOT_EJECTED. Admission reads it with the drain flag; only when a deadline is set
   * does it read the ticker, and a reader who finds the deadline passed swaps it back by CAS, so
   * the clock drops out of the route again. eject() and uneject() run under the Roster's lock, so
   * the cap on ejections holds whoever ejects.
   *
   * Panic. While the balancer panics, the table's candidates are every member that is not draining
   * and admission skips health and ejection. The verdict is computed with the table, on every
   * change of health, membership, drain or ejection; since an ejection ends by the clock, a table
   * whose verdict counted one is rebuilt by the first route that finds it has ended.
   */

  private final Algorithm algorithm;
  private final Roster roster;
  private final Router router;
  private final WaitQueue waitQueue;
  private final Failover failover;
  private final AsyncFailover asyncFailover;
  private final Limits limits;
  private final Listeners listeners;
  private final @Nullable PeakEwmaPolicy latencyAware; // PEAK_EWMA: leases feed its estimates
  private final @Nullable SessionAffinity affinity;
  private final AffinityCookies cookies; // sticky(true)'s, keyed by the balancer's secret
  private final int maxEjectionPercent;
  private final double panicThreshold; // 0 when off
  private final Ticker ticker;
  private final LongAdder rejected = new LongAdder();
  private final LongAdder totalCompleted = new LongAdder();
  private final LongAdder totalErrors = new LongAdder();

  /**
   * Creates a round-robin balancer over {@code servers}.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public LoadBalancer(List<Server> servers) {
    this(builder(servers));
  }

  /**
   * Creates a balancer over {@code servers} using {@code algorithm}.
   *
   * @throws NullPointerException if an argument or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public LoadBalancer(List<Server> servers, Algorithm algorithm) {
    this(builder(servers).algorithm(algorithm));
  }

  private LoadBalancer(Builder builder) {
    builder.checkConsistent();
    this.algorithm = builder.algorithm;
    this.affinity = builder.affinity;
    this.maxEjectionPercent = builder.maxEjectionPercent;
    this.panicThreshold = builder.panicThreshold;
    this.ticker = builder.ticker;
    this.listeners = new Listeners(builder.listeners);
    Policy<?> policy = policyOf(builder);
    this.latencyAware = policy instanceof PeakEwmaPolicy ? (PeakEwmaPolicy) policy : null;
    Limits limits =
        new Limits(builder.ratePerSecond, builder.rateBurst, builder.maxConcurrent, ticker);
    this.limits = limits;
    boolean sticky = builder.sticky;
    byte[] secret = builder.affinitySecret;
    this.cookies = new AffinityCookies(secret != null ? secret : AffinityCookies.randomSecret());
    AffinityCookies cookies = this.cookies;
    this.roster =
        new Roster(
            builder.servers,
            policy,
            placementOf(builder),
            sticky,
            server -> limits.newBackend(server, sticky ? cookies.tokenOf(server.id()) : null),
            listeners::serverRemoved,
            panicThreshold,
            ticker);
    this.router =
        new Router(
            roster,
            policy,
            algorithm == Algorithm.CONSISTENT_HASH,
            sticky,
            cookies,
            affinity,
            ticker,
            panicThreshold > 0);
    this.waitQueue = new WaitQueue(request -> lease(request, null), this::granted);
    RetryBudget budget =
        builder.retryBudget != null ? builder.retryBudget : RetryBudget.create(0.2, 10, ticker);
    this.failover = new Failover(this, budget, builder.maxAttempts, builder.retryRule);
    this.asyncFailover = new AsyncFailover(failover);
  }

  /** The policy of {@code builder}'s algorithm; CONSISTENT_HASH's routes keyless requests. */
  private static Policy<?> policyOf(Builder builder) {
    switch (builder.algorithm) {
      case ROUND_ROBIN:
      case CONSISTENT_HASH:
        return new RoundRobinPolicy(0);
      case WEIGHTED_ROUND_ROBIN:
        return new WeightedPolicy();
      case LEAST_CONNECTIONS:
        return new LeastPolicy(LeastPolicy.Measure.CONNECTIONS);
      case RANDOM:
        return new RandomPolicy(builder.random, 1);
      case POWER_OF_TWO_CHOICES:
        return new RandomPolicy(builder.random, builder.choices);
      case LEAST_LOADED:
        return new LeastPolicy(LeastPolicy.Measure.LOAD);
      case PEAK_EWMA:
        return new PeakEwmaPolicy(builder.ticker, builder.random, builder.peakEwmaDecay);
    }
    throw new AssertionError(builder.algorithm);
  }

  /** The placement of CONSISTENT_HASH over the initial members, else null. */
  private static @Nullable Function<List<Backend>, Placement<Backend>> placementOf(
      Builder builder) {
    if (builder.algorithm != Algorithm.CONSISTENT_HASH) {
      return null;
    }
    PlacementType type = builder.placement;
    double balanceFactor = builder.balanceFactor;
    return initial ->
        bounded(type.create(initial, b -> PlacementPicker.weightOf(b.server)), balanceFactor);
  }

  private static Placement<Backend> bounded(Placement<Backend> placement, double balanceFactor) {
    return balanceFactor > 0
        ? new BoundedLoad<>(
            placement, balanceFactor, b -> b.server.activeConnections(), b -> b.server.isHealthy())
        : placement;
  }

  /** Returns a builder of a balancer over {@code servers}. */
  public static Builder builder(List<Server> servers) {
    return new Builder(servers);
  }

  // ---------------------------------------------------------------- routing

  /**
   * Picks an admissible server for {@code request} (see the class javadoc), counting the request
   * against it; empty when no server is healthy (and the balancer does not panic), or every one is
   * draining, ejected, at its rate limit or at its concurrency cap.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public Optional<Server> route(Request request) {
    Objects.requireNonNull(request, "request");
    Backend chosen = router.choose(request, false, null);
    if (chosen == null) {
      rejected.increment();
      listeners.rejected(request);
      return Optional.empty();
    }
    count(chosen);
    listeners.routed(request, chosen.server);
    return chosen.asOptional;
  }

  /**
   * Picks an admissible server as {@link #route} does and holds a slot on it until the returned
   * lease is closed.
   *
   * @throws NoServerAvailableException if no server is admissible now
   * @throws NullPointerException if {@code request} is null
   */
  public Lease acquire(Request request) {
    Objects.requireNonNull(request, "request");
    Lease lease = tryLease(request, null);
    if (lease == null) {
      throw refuse(request, null);
    }
    return lease;
  }

  /**
   * Like {@link #acquire(Request)}, but empty instead of throwing when no server is admissible.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public Optional<Lease> tryAcquire(Request request) {
    Objects.requireNonNull(request, "request");
    Lease lease = tryLease(request, null);
    if (lease == null) {
      rejected.increment();
      listeners.rejected(request);
      return Optional.empty();
    }
    return Optional.of(lease);
  }

  /**
   * Acquires a lease, waiting up to {@code timeout} for a slot when every admissible server is at
   * its concurrency cap. Waiters are served in arrival order, and a new acquire does not overtake
   * them. The wait is measured in real time; a slot granted in the instant it runs out is taken, so
   * the request is never both granted (and counted) and refused.
   *
   * @throws NoServerAvailableException if no slot freed up within {@code timeout}
   * @throws InterruptedException if the thread was interrupted while waiting
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws NullPointerException if an argument is null
   */
  public Lease acquire(Request request, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
    }
    Lease lease = waitQueue.acquire(request, timeout);
    if (lease == null) {
      NoServerAvailableException refusal = refuse(request, null);
      throw new NoServerAvailableException(
          refusal.getMessage() + " within " + timeout,
          refusal.refusal(),
          refusal.retryAfter().orElse(null));
    }
    return lease;
  }

  /**
   * Returns how many {@link #acquire(Request, Duration)} calls are waiting for a slot now. While
   * any are, acquires that do not wait fail rather than overtake them.
   */
  public int waitingAcquires() {
    return waitQueue.waiting();
  }

  /**
   * Runs {@code call} on an admissible server, failing over to other servers: when the call throws
   * a failure the {@linkplain Builder#retryRule retry rule} retries ({@link RetryRule#safe()} by
   * default: connection refused, or an {@code IOException} of an idempotent request), it is tried
   * again on a server not yet tried, up to the configured number of attempts (3 by default) and
   * only while the retry budget allows (20% of requests plus 10 a second by default), so retries
   * cannot multiply the load during an outage. Every attempt runs under a lease, so it is counted,
   * timed and reported like any other; an {@code Error} (or any other throwable) from the call
   * fails its lease too, and an {@code Error} is rethrown without a retry.
   *
   * @return what the first successful attempt returned
   * @throws FailoverException if no attempt succeeded (a failure the rule does not retry is tried
   *     once); its cause is the last attempt's failure, earlier ones are suppressed
   * @throws NoServerAvailableException if no server was admissible for the first attempt
   * @throws NullPointerException if an argument is null
   */
  public <T> T execute(Request request, BackendCall<T> call) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(call, "call");
    return failover.execute(request, call);
  }

  /**
   * Runs {@code call} as {@link #execute} does, without blocking: the same admission, leases,
   * failover, {@linkplain Builder#retryRule retry rule} and retry budget, over the stages the call
   * returns. The caller's thread only starts the first attempt; a retry starts on the thread that
   * completed the failed attempt's stage, at once (there is no pause between attempts, so no thread
   * of the balancer is involved). When no server is admissible the attempt does not wait: the
   * future fails at once.
   *
   * <p>Each attempt holds a lease from the moment it starts until its stage completes, closed
   * exactly once and before the returned future completes, so whoever the future wakes finds the
   * slot free. Cancelling the returned future (or completing it any other way, as {@code orTimeout}
   * does) cancels the attempt in flight, calling its stage's {@code
   * toCompletableFuture().cancel(true)}, and frees its slot before {@code cancel} returns; a stage
   * that ignores the cancellation runs on, uncounted.
   *
   * <pre>{@code
   * HttpClient http = HttpClient.newHttpClient();
   * CompletableFuture<String> body = lb.executeAsync(request, server -> http
   *     .sendAsync(HttpRequest.newBuilder(URI.create("http://" + server.id() + "/api")).build(),
   *         BodyHandlers.ofString())
   *     .thenApply(HttpResponse::body));
   * }</pre>
   *
   * @return a future completed with what the first successful attempt's stage completed with, or
   *     exceptionally with a {@link NoServerAvailableException} if no server was admissible for the
   *     first attempt, a {@link FailoverException} if no attempt succeeded (its cause the last
   *     attempt's failure, unwrapped from a {@code CompletionException}), or an {@code Error} an
   *     attempt failed with
   * @throws NullPointerException if an argument is null
   */
  public <T> CompletableFuture<T> executeAsync(Request request, AsyncBackendCall<T> call) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(call, "call");
    return asyncFailover.execute(request, call);
  }

  /**
   * Takes a lease on {@code server}, if it is a member and admissible now (healthy or the balancer
   * panics, not draining, not ejected, under its cap, with a rate-limit token) and no waiting
   * acquire is first in line: for a service that chose the server itself (its own job table, say)
   * and wants the call counted, capped and timed like any other. No algorithm or affinity is
   * consulted. A refusal counts as rejected, as {@link #tryAcquire(Request)}'s does.
   *
   * @throws NullPointerException if an argument is null
   */
  public Optional<Lease> tryAcquire(Request request, Server server) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(server, "server");
    Backend backend = roster.backend(server);
    if (backend != null && waitQueue.mayProceed() && router.admitOne(backend, true)) {
      count(backend);
      Lease lease = new Lease(this, backend, request, ticker.read());
      granted(lease);
      return Optional.of(lease);
    }
    rejected.increment();
    listeners.rejected(request);
    return Optional.empty();
  }

  // ---------------------------------------------------------------- limits

  /**
   * Limits every server to {@code perSecond} requests a second with bursts of up to {@code burst},
   * from now on, as {@link Builder#rateLimit(double, long)} does at build: each server gets a new
   * bucket, full. Servers with a {@linkplain #setRateLimit(Server, double, long) limit of their
   * own} keep it; servers that join later get this one.
   *
   * <p>Cost: O(n) under the lock membership changes take; routing is not blocked.
   *
   * @throws IllegalArgumentException if {@code perSecond} is not in {@code (0, 1e9]} or {@code
   *     burst} is below 1, with the builder's messages
   */
  public void setRateLimit(double perSecond, long burst) {
    Limits.checkRate(perSecond, burst);
    roster.withMembers(members -> limits.setRate(perSecond, burst, members));
  }

  /**
   * Limits {@code server} to {@code perSecond} requests a second with bursts of up to {@code
   * burst}, whatever the balancer-wide limit is now or becomes, for as long as it is a member. Its
   * bucket is new and full.
   *
   * @throws IllegalArgumentException if {@code server} is not a member (the message names it), or
   *     {@code perSecond} is not in {@code (0, 1e9]} or {@code burst} is below 1
   * @throws NullPointerException if {@code server} is null
   */
  public void setRateLimit(Server server, double perSecond, long burst) {
    Objects.requireNonNull(server, "server");
    Limits.checkRate(perSecond, burst);
    roster.withMembers(members -> limits.overrideRate(member(server), perSecond, burst));
  }

  /**
   * Caps the active connections of every server at {@code maxConcurrent} from now on, as {@link
   * Builder#maxConcurrent} does at build. A lower cap revokes no lease: a server over it takes no
   * new one until it is under it. Servers with a {@linkplain #setMaxConcurrent(Server, int) cap of
   * their own} keep it; servers that join later get this one. Waiting acquires are served at once
   * if the cap went up.
   *
   * @throws IllegalArgumentException if {@code maxConcurrent} is below 1
   */
  public void setMaxConcurrent(int maxConcurrent) {
    Limits.checkMaxConcurrent(maxConcurrent);
    roster.withMembers(members -> limits.setMaxConcurrent(maxConcurrent, members));
    waitQueue.dispatch();
  }

  /**
   * Caps the active connections of {@code server} at {@code maxConcurrent}, whatever the
   * balancer-wide cap is now or becomes, for as long as it is a member. A lower cap revokes no
   * lease.
   *
   * @throws IllegalArgumentException if {@code server} is not a member (the message names it), or
   *     {@code maxConcurrent} is below 1
   * @throws NullPointerException if {@code server} is null
   */
  public void setMaxConcurrent(Server server, int maxConcurrent) {
    Objects.requireNonNull(server, "server");
    Limits.checkMaxConcurrent(maxConcurrent);
    roster.withMembers(members -> Limits.overrideMaxConcurrent(member(server), maxConcurrent));
    waitQueue.dispatch();
  }

  /** The backend of member {@code server}; under the roster's lock, so it stays one. */
  private Backend member(Server server) {
    Backend backend = roster.backend(server);
    if (backend == null) {
      throw Limits.notAMember(server);
    }
    return backend;
  }

  // ---------------------------------------------------------------- membership

  /**
   * Adds {@code server}; it takes requests from the next pick on. Adding a server whose id is
   * present gives the member that server's weight (through {@link Server#setWeight}, so every
   * balancer holding the member sees it); otherwise it does nothing.
   *
   * <p>Cost: O(n) to copy the member list, plus the algorithm's rebuild (none for round robin and
   * random picks; the schedule for weighted round robin) and one server's points on a ring.
   *
   * @throws NullPointerException if {@code server} is null
   * @throws IllegalStateException if a server with the same id is draining
   */
  public void addServer(Server server) {
    Objects.requireNonNull(server, "server");
    if (roster.add(server)) {
      listeners.serverAdded(server);
    }
    waitQueue.dispatch();
  }

  /**
   * Replaces the members with {@code servers} in one change, published at once: servers whose id is
   * new join; members whose id is missing leave (at once if they have no active connection, else
   * they drain first, as {@link #drain} does, and leave when idle); members whose id is present
   * take the given server's weight. Members keep their order; new servers join at the end, in the
   * order given. Listeners hear each join, weight change and leave.
   *
   * <p>Cost: O(n) for the whole change, plus the algorithm's rebuild once (for placements, the
   * points of the servers that changed).
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public void setServers(Collection<Server> servers) {
    Objects.requireNonNull(servers, "servers");
    Roster.Changes changes = roster.setServers(servers);
    for (Backend removed : changes.removed) {
      Roster.settleRemoved(removed);
      listeners.serverRemoved(removed.server);
    }
    changes.added.forEach(listeners::serverAdded);
    waitQueue.dispatch();
  }

  /**
   * Removes {@code server} (or the server with its id) at once: no new requests; leases already
   * open on it still close normally. To let calls finish first, {@link #drain} it instead; a server
   * removed while draining still completes its drain future only once its connections reach zero.
   * Removing a server not present does nothing.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public void removeServer(Server server) {
    Backend removed = roster.remove(Objects.requireNonNull(server, "server"), null);
    if (removed != null) {
      Roster.settleRemoved(removed);
      listeners.serverRemoved(removed.server);
    }
  }

  /**
   * Drains {@code server}: it takes no new requests or leases from now on, and once its active
   * connections reach zero it is removed and the returned future completes. Calling it again
   * returns the same future. Connections are counted on the {@link Server}, so leases from other
   * balancers holding it also count.
   *
   * @return a future completed once the server has no active connections and was removed; already
   *     complete if the server is not in this balancer
   * @throws NullPointerException if {@code server} is null
   */
  public CompletableFuture<Void> drain(Server server) {
    return roster.drain(Objects.requireNonNull(server, "server"));
  }

  /** Returns the servers of this balancer, draining ones included, in order of addition. */
  public List<Server> servers() {
    return roster.table().servers;
  }

  /**
   * Returns whether {@code server} is a member of this balancer and draining.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public boolean isDraining(Server server) {
    Backend backend = roster.backend(Objects.requireNonNull(server, "server"));
    return backend != null && backend.draining;
  }

  // ---------------------------------------------------------------- ejection

  /**
   * Ejects {@code server} for {@code duration}: it takes no new requests or leases until this
   * balancer's {@linkplain #ticker() ticker} has moved on by {@code duration}, then comes back by
   * itself. Its health, membership and open leases are untouched. Ejecting a server that is ejected
   * already sets its ejection to end {@code duration} from now, which may shorten it.
   *
   * <p>At most {@link Builder#maxEjectionPercent} of the servers that are not draining may be
   * ejected at once, rounded down but always at least one (a draining server may be ejected too,
   * and counts on neither side). The check and the ejection are atomic, whoever else ejects.
   * Equivalent to {@code eject(server, duration, maxEjectionPercent)} with the builder's percent.
   *
   * @return whether the server is now ejected: false if it is not in this balancer, or if ejecting
   *     it would take more servers out than the cap allows
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code duration} is not positive
   */
  public boolean eject(Server server, Duration duration) {
    return eject(server, duration, maxEjectionPercent);
  }

  /**
   * Like {@link #eject(Server, Duration)}, with the cap {@code maxEjectionPercent} instead of the
   * builder's: ejects {@code server} unless more than {@code maxEjectionPercent} of the servers
   * that are not draining (at least one) would then be ejected, counting every ejection, whoever
   * made it. An outlier detector passes its own percent here.
   *
   * <p>Cost: O(n) for n servers, under the lock that membership changes take; routing is not
   * blocked.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code duration} is not positive or {@code
   *     maxEjectionPercent} is not in {@code 1..100}
   */
  public boolean eject(Server server, Duration duration, int maxEjectionPercent) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    checkEjectionPercent(maxEjectionPercent);
    // Long.MAX_VALUE / 2 at most: ~146 years, and a deadline that subtraction still compares.
    long nanos = Math.min(SessionAffinity.saturatedNanos(duration), Long.MAX_VALUE / 2);
    return roster.eject(server, Backend.deadline(ticker.read(), nanos), maxEjectionPercent);
  }

  /**
   * Ends the ejection of {@code server} at once, if it is ejected.
   *
   * @return whether it was ejected
   * @throws NullPointerException if {@code server} is null
   */
  public boolean uneject(Server server) {
    boolean wasEjected = roster.uneject(Objects.requireNonNull(server, "server"));
    if (wasEjected) {
      waitQueue.dispatch();
    }
    return wasEjected;
  }

  /**
   * Returns whether {@code server} is a member of this balancer and ejected now. Reads the ticker
   * only if an ejection is set.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public boolean isEjected(Server server) {
    Backend backend = roster.backend(Objects.requireNonNull(server, "server"));
    return backend != null && backend.isEjected(ticker);
  }

  /**
   * Returns whether the balancer panics now: a {@linkplain Builder#panicThreshold panic threshold}
   * is set and fewer than that share of the servers that are not draining are healthy and not
   * ejected. Always false without a threshold.
   */
  public boolean isPanicking() {
    return panicThreshold > 0 && roster.table(ticker.read()).panic;
  }

  static void checkEjectionPercent(int maxEjectionPercent) {
    if (maxEjectionPercent < 1 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException(
          "maxEjectionPercent: " + maxEjectionPercent + " (expected: 1..100)");
    }
  }

  // ---------------------------------------------------------------- stats and affinity

  /**
   * Returns an immutable snapshot of the counters: a row per member (draining ones included), and
   * totals over the balancer's life that never go down, whatever servers came and went.
   */
  public Stats stats() {
    Backend[] members = roster.table().members;
    List<ServerStats> rows = new ArrayList<>(members.length);
    for (Backend backend : members) {
      rows.add(backend.stats(backend.isEjected(ticker)));
    }
    return new Stats(
        rows, roster.totalRequests(), totalErrors.sum(), totalCompleted.sum(), rejected.sum());
  }

  /**
   * Returns the name of the affinity cookie this balancer reads: that of a {@link
   * SessionAffinity.Method#COOKIE} affinity given to the builder, else {@value
   * SessionAffinity#DEFAULT_COOKIE_NAME} (what {@code sticky(true)} reads).
   */
  public String affinityCookieName() {
    SessionAffinity pins = affinity;
    return pins != null && pins.method() == SessionAffinity.Method.COOKIE
        ? pins.cookieName()
        : SessionAffinity.DEFAULT_COOKIE_NAME;
  }

  /**
   * Returns the affinity cookie value to set after routing to {@code server}, so that the client's
   * later requests come back to it: a keyed MAC of the server's id (HMAC-SHA256, 128 bits, 22
   * base64url characters) under the secret of a {@link SessionAffinity.Method#COOKIE} affinity
   * given to the builder, else under this balancer's {@linkplain Builder#affinitySecret secret}. A
   * client cannot compute one for a server it was not sent to, nor learn an address from one.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public String affinityCookieValue(Server server) {
    Objects.requireNonNull(server, "server");
    SessionAffinity pins = affinity;
    return pins != null && pins.method() == SessionAffinity.Method.COOKIE
        ? pins.cookieValue(server)
        : cookies.valueOf(server.id());
  }

  /**
   * Adds a listener; it hears every later routing decision, closed lease, join and leave.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public void addListener(LoadBalancerListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added before; does nothing if it was not. */
  public void removeListener(LoadBalancerListener listener) {
    listeners.remove(listener);
  }

  /** Returns the algorithm. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** Returns the ticker that times leases and ejections and refills rate limits. */
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "LoadBalancer{" + algorithm + ", servers=" + servers() + "}";
  }

  // ---------------------------------------------------------------- internals

  /** Returns the routing table now; for tests. */
  RoutingTable tableForTest() {
    return roster.table();
  }

  /** Returns PEAK_EWMA's estimate of {@code server}, in nanoseconds; for tests. */
  double latencyEstimateForTest(Server server) {
    return Objects.requireNonNull(latencyAware, "latencyAware").estimateNanos(server);
  }

  /**
   * Takes a lease for {@code request}, skipping {@code tried}, if no waiter is first in line and a
   * server is admissible; tells the listeners. Null otherwise (nothing counted as rejected).
   */
  @Nullable Lease tryLease(Request request, @Nullable List<Server> tried) {
    if (!waitQueue.mayProceed()) {
      return null; // queued waiters come first
    }
    Lease lease = lease(request, tried);
    if (lease != null) {
      granted(lease);
    }
    return lease;
  }

  /** Takes a slot and counts the request; tells no listener (the caller does, outside locks). */
  private @Nullable Lease lease(Request request, @Nullable List<Server> tried) {
    Backend backend = router.choose(request, true, tried);
    if (backend == null) {
      return null;
    }
    count(backend);
    return new Lease(this, backend, request, ticker.read());
  }

  /** Tells the listeners of a granted lease; if one throws fatally, the lease is given back. */
  private void granted(Lease lease) {
    boolean told = false;
    try {
      listeners.routed(lease.request(), lease.server());
      told = true;
    } finally {
      if (!told) {
        lease.close();
      }
    }
  }

  /** One counter increment: the balancer's total is summed from the backends when read. */
  private static void count(Backend backend) {
    backend.requests.increment();
  }

  /**
   * Counts a rejection, tells the listeners, and returns the exception to throw, saying why (see
   * {@link Refusals}): for a request held by a strict affinity pin, why its pinned server refused.
   */
  NoServerAvailableException refuse(Request request, @Nullable List<Server> tried) {
    rejected.increment();
    listeners.rejected(request);
    Backend[] members = roster.table().members;
    SessionAffinity pins = affinity;
    Server held = pins != null && pins.isStrict() ? pins.pinned(request, false) : null;
    if (held != null) {
      Backend backend = roster.backend(held);
      return Refusals.explain(
          backend == null ? new Backend[0] : new Backend[] {backend},
          null,
          router.panics(),
          ticker,
          "no admissible server: the strict pin's server " + held.id());
    }
    return Refusals.explain(
        members,
        tried,
        router.panics(),
        ticker,
        "no admissible server among " + members.length + " server(s)");
  }

  /** Called once per lease, by {@link Lease#close()}: bookkeeping first, then listeners. */
  void release(Lease lease) {
    Backend backend = lease.backend();
    // Never negative, even if the ticker reads earlier now than at the acquire: only differences
    // of readings mean anything, and no estimate or listener can use a negative latency.
    long nanos = Math.max(0, ticker.read() - lease.startedAt());
    Throwable failure = lease.failure();
    try {
      backend.recordLease(nanos, failure != null);
      totalCompleted.increment();
      if (failure != null) {
        totalErrors.increment();
      }
      PeakEwmaPolicy estimates = latencyAware;
      if (estimates != null) {
        estimates.record(backend.server, nanos, failure != null);
      }
    } finally {
      try {
        // After the counts: closing the last connection may end a drain on this thread, and
        // whatever the drain's future runs must find this lease counted.
        backend.server.connectionClosed();
      } finally {
        try {
          listeners.leaseClosed(lease.request(), backend.server, nanos, failure);
        } finally {
          waitQueue.dispatch();
        }
      }
    }
  }

  public static final class Builder {
    private final List<Server> servers;
    private Algorithm algorithm = Algorithm.ROUND_ROBIN;
    private boolean sticky;
    private @Nullable SessionAffinity affinity;
    private double ratePerSecond;
    private long rateBurst;
    private int maxConcurrent = Integer.MAX_VALUE;
    private int maxAttempts = 3;
    private int choices = 2;
    private PlacementType placement = PlacementType.RING;
    private double balanceFactor; // 0: unbounded
    private Duration peakEwmaDecay = PeakEwma.DEFAULT_DECAY;
    private boolean choicesSet;
    private boolean placementSet;
    private boolean peakEwmaDecaySet;
    private int maxEjectionPercent = 10;
    private double panicThreshold; // 0: off
    private @Nullable RetryBudget retryBudget;
    private RetryRule retryRule = RetryRule.safe();
    private byte @Nullable [] affinitySecret; // null: random per balancer
    private RandomGenerator random = RandomSources.threadLocal();
    private Ticker ticker = Ticker.system();
    private final List<LoadBalancerListener> listeners = new ArrayList<>();

    private Builder(List<Server> servers) {
      this.servers = Membership.validated(servers);
    }

    /** Sets the algorithm; {@link Algorithm#ROUND_ROBIN} by default. */
    public Builder algorithm(Algorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** Turns on cookie and client-IP affinity (see {@link LoadBalancer}); off by default. */
    public Builder sticky(boolean sticky) {
      this.sticky = sticky;
      return this;
    }

    /**
     * Pins requests with {@code affinity} (typically {@link SessionAffinity.Method#KEY}): a request
     * with an affinity key goes to its pinned server while that server is admissible, and is
     * re-pinned otherwise.
     */
    public Builder affinity(SessionAffinity affinity) {
      this.affinity = Objects.requireNonNull(affinity, "affinity");
      return this;
    }

    /**
     * Limits each server to {@code perServerPerSecond} requests a second, with a burst of as many
     * (a token bucket per server, full at start).
     *
     * @throws IllegalArgumentException if {@code perServerPerSecond} is below 1
     */
    public Builder rateLimit(int perServerPerSecond) {
      if (perServerPerSecond < 1) {
        throw new IllegalArgumentException(
            "perServerPerSecond: " + perServerPerSecond + " (expected: >= 1)");
      }
      return rateLimit(perServerPerSecond, perServerPerSecond);
    }

    /**
     * Limits each server to {@code perSecond} requests a second with bursts of up to {@code burst}.
     *
     * @throws IllegalArgumentException if {@code perSecond} is not positive or {@code burst} is
     *     below 1
     */
    public Builder rateLimit(double perSecond, long burst) {
      Limits.checkRate(perSecond, burst);
      this.ratePerSecond = perSecond;
      this.rateBurst = burst;
      return this;
    }

    /**
     * Caps the active connections of each server (leases, and connections other balancers count on
     * it); unlimited by default.
     *
     * @throws IllegalArgumentException if {@code maxConcurrent} is below 1
     */
    public Builder maxConcurrent(int maxConcurrent) {
      Limits.checkMaxConcurrent(maxConcurrent);
      this.maxConcurrent = maxConcurrent;
      return this;
    }

    /**
     * Sets how many servers {@link #execute} tries a call on, the first included; 3 by default.
     *
     * @throws IllegalArgumentException if {@code maxAttempts} is below 1
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the share of servers {@link LoadBalancer#eject(Server, Duration)} may take out of
     * rotation at once, in percent of the servers that are not draining, rounded down; at least one
     * server may always be ejected. 10 by default, as in Envoy's outlier detection.
     *
     * @throws IllegalArgumentException if {@code maxEjectionPercent} is not in {@code 1..100}
     */
    public Builder maxEjectionPercent(int maxEjectionPercent) {
      checkEjectionPercent(maxEjectionPercent);
      this.maxEjectionPercent = maxEjectionPercent;
      return this;
    }

    /**
     * Turns on panic routing: while fewer than {@code share} of the servers that are not draining
     * are healthy and not ejected, route over all of them as if each were healthy and none ejected
     * (drain, rate limits and concurrency caps still apply), rather than overload the few. Off by
     * default: then a balancer with nothing healthy routes nothing. With 4 servers and {@code
     * share} 0.5, one healthy server means panic (1 &lt; 2); two do not.
     *
     * <p>Cost: while the balancer's state is unchanged, three volatile reads per route (and a
     * ticker read while a server is ejected); after a change of health, membership, drain or
     * ejection, one O(n) scan.
     *
     * @throws IllegalArgumentException if {@code share} is not in {@code (0, 1]}
     */
    public Builder panicThreshold(double share) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("share: " + share + " (expected: > 0 and <= 1)");
      }
      this.panicThreshold = share;
      return this;
    }

    /**
     * Sets the secret that keys the affinity cookies of {@code sticky(true)} (see {@link
     * LoadBalancer#affinityCookieValue}); copied. By default each balancer draws a random one, so
     * its cookies mean nothing to any other balancer: balancers that must honour each other's
     * cookies (several instances of one service behind one address) share a secret, of at least 16
     * bytes (128 bits) from a secure random source. A cookie that is not a MAC under the secret, or
     * names a server that left, is ignored: the request is routed as if it had none.
     *
     * @throws NullPointerException if {@code secret} is null
     * @throws IllegalArgumentException if {@code secret} is shorter than 16 bytes
     */
    public Builder affinitySecret(byte[] secret) {
      Objects.requireNonNull(secret, "secret");
      if (secret.length < AffinityCookies.MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "secret: "
                + secret.length
                + " bytes (expected: >= "
                + AffinityCookies.MIN_SECRET_BYTES
                + ")");
      }
      this.affinitySecret = secret.clone();
      return this;
    }

    /**
     * Sets which failures {@link LoadBalancer#execute} and {@link LoadBalancer#executeAsync} retry
     * on another server; {@link RetryRule#safe()} by default (a {@code POST} whose connection was
     * refused is retried, one that failed with an application error is not).
     */
    public Builder retryRule(RetryRule retryRule) {
      this.retryRule = Objects.requireNonNull(retryRule, "retryRule");
      return this;
    }

    /** Sets the retry budget of {@link #execute}; 20% of requests plus 10 a second by default. */
    public Builder retryBudget(RetryBudget retryBudget) {
      this.retryBudget = Objects.requireNonNull(retryBudget, "retryBudget");
      return this;
    }

    /**
     * Sets how many random servers {@link Algorithm#POWER_OF_TWO_CHOICES} compares; 2 by default.
     *
     * @throws IllegalArgumentException if {@code choices} is below 2
     */
    public Builder choices(int choices) {
      if (choices < 2) {
        throw new IllegalArgumentException("choices: " + choices + " (expected: >= 2)");
      }
      this.choices = choices;
      this.choicesSet = true;
      return this;
    }

    /**
     * Sets the placement {@link Algorithm#CONSISTENT_HASH} maps keys with: {@link
     * PlacementType#RING} (the default), {@link PlacementType#MAGLEV}, {@link
     * PlacementType#RENDEZVOUS} or {@link PlacementType#MEMENTO}; see {@code docs/hashing.md} for
     * which suits which job. Each server weighs its {@link Server#weight()}. The placement holds
     * every server and skips unhealthy ones in its probe order, so a health change moves only that
     * server's keys.
     */
    public Builder placement(PlacementType placement) {
      this.placement = Objects.requireNonNull(placement, "placement");
      this.placementSet = true;
      return this;
    }

    /**
     * Bounds the load of {@link Algorithm#CONSISTENT_HASH}: a key whose server already holds {@code
     * balanceFactor} times its share of the balancer's active connections (rounded up) goes to the
     * next server in the placement's probe order, so a hot key cannot melt one server. See {@link
     * BoundedLoad}; 1.25 is HAProxy's and Envoy's usual setting. Off by default: keys stay on their
     * server whatever its load.
     *
     * @throws IllegalArgumentException if {@code balanceFactor} is not a finite number above 1
     */
    public Builder balanceFactor(double balanceFactor) {
      if (!(balanceFactor > 1) || Double.isInfinite(balanceFactor)) {
        throw new IllegalArgumentException(
            "balanceFactor: " + balanceFactor + " (expected: > 1 and finite)");
      }
      this.balanceFactor = balanceFactor;
      return this;
    }

    /**
     * Sets how fast {@link Algorithm#PEAK_EWMA}'s latency estimates forget: after {@code decay}
     * without a call, a server's estimate has fallen to 1/e of its value; {@link
     * PeakEwma#DEFAULT_DECAY} (10 s) by default.
     *
     * @throws IllegalArgumentException if {@code decay} is not positive
     */
    public Builder peakEwmaDecay(Duration decay) {
      this.peakEwmaDecay = PeakEwma.checkDecay(decay);
      this.peakEwmaDecaySet = true;
      return this;
    }

    /**
     * Sets the random source of the randomized algorithms; {@link RandomSources#threadLocal()} by
     * default. It must be thread-safe if the balancer is used from several threads.
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets the ticker that times leases and ejections and refills rate limits; the system one by
     * default.
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Adds a listener. */
    public Builder listener(LoadBalancerListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Returns the balancer.
     *
     * @throws IllegalArgumentException if an option was set that the chosen algorithm does not use
     *     ({@code placement} or {@code balanceFactor} without {@link Algorithm#CONSISTENT_HASH},
     *     {@code choices} without {@link Algorithm#POWER_OF_TWO_CHOICES}, {@code peakEwmaDecay}
     *     without {@link Algorithm#PEAK_EWMA}), or {@code sticky(true)} together with an {@code
     *     affinity}: the message names both
     */
    public LoadBalancer build() {
      return new LoadBalancer(this);
    }

    /** Rejects options that contradict each other or that the algorithm would ignore. */
    void checkConsistent() {
      requireAlgorithm(placementSet, "placement: " + placement, Algorithm.CONSISTENT_HASH);
      requireAlgorithm(
          balanceFactor > 0, "balanceFactor: " + balanceFactor, Algorithm.CONSISTENT_HASH);
      requireAlgorithm(choicesSet, "choices: " + choices, Algorithm.POWER_OF_TWO_CHOICES);
      requireAlgorithm(peakEwmaDecaySet, "peakEwmaDecay: " + peakEwmaDecay, Algorithm.PEAK_EWMA);
      SessionAffinity pins = affinity;
      if (sticky && pins != null) {
        throw new IllegalArgumentException(
            "sticky: true and affinity: "
                + pins.method()
                + " (expected: one of them; sticky(true) already pins by cookie and client IP)");
      }
    }

    private void requireAlgorithm(boolean set, String option, Algorithm expected) {
      if (set && algorithm != expected) {
        throw new IllegalArgumentException(
            option
                + " is set but algorithm: "
                + algorithm
                + " does not use it (expected: algorithm "
                + expected
                + ")");
      }
    }
  }
}
