package dev.lbkit.core;

import dev.lbkit.hashing.BoundedLoad;
import dev.lbkit.hashing.ConsistentHash;
import dev.lbkit.hashing.PlacementType;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
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
 * }</pre>
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
 * Every method is thread-safe. Routing reads immutable snapshots and never locks; membership
 * changes copy and republish the snapshot under a lock that readers never take. {@code route} with
 * no affinity and no limits costs the algorithm's pick, two identity-map lookups and a counter
 * increment; it reads the clock for a server only while that server is ejected. A panic threshold
 * adds three volatile reads per route while the panic verdict is current. Waiting acquires take a
 * lock only while servers are full.
 */
public final class LoadBalancer {

  /*
   * Ejection. A server's ejection is one volatile long on its Backend: the ticker reading at which
   * it ends, or NOT_EJECTED. Admission reads it with the drain flag; only when a deadline is set
   * does it read the ticker, comparing by subtraction, and a reader who finds the deadline passed
   * swaps it back to NOT_EJECTED by CAS (a later ejection has another deadline and survives), so
   * the clock drops out of the route again. Nothing runs when an ejection ends: there is no timer,
   * the next admission simply lets the server in. eject() and uneject() run under the write lock,
   * so the cap on ejections (counted over the Backends, which is O(n) but rare) holds whoever
   * ejects: a detector, several of them, an operator.
   *
   * Panic. The pickers see only healthy servers, so panic routing needs servers they would never
   * return. A second picker of the same algorithm, over the same routable servers but built with
   * ignoreHealth (see Membership), picks while the balancer panics; its fallback walk, in list
   * order, is ours, since ServerPicker's default walk skips unhealthy servers. Admission lets an
   * unhealthy or ejected server in only if the balancer panics, and asks only then, so a healthy
   * server's admission never pays for the check. Whether the balancer panics is a PanicCheck: a
   * verdict computed by an O(n) scan and kept with the state epoch (health and weight changes),
   * the routing version (membership, drain, eject, uneject) and the earliest live ejection's end
   * it was computed at; a route that finds all three unchanged reuses it. A route and an admission
   * may see different verdicts across a change; either way the result is one a verdict allows.
   */

  private static final System.Logger LOG = System.getLogger(LoadBalancer.class.getName());
  private static final Duration WAIT_RECHECK = Duration.ofMillis(20);

  /** One immutable state of the membership. */
  private static final class Members {
    final List<Server> servers; // every member, draining ones included, in order of addition
    final IdentityHashMap<Server, Backend> byIdentity; // the instances the pickers return
    final Map<Server, Backend> byId; // any equal instance
    final Map<String, Backend> byCookie;

    Members(List<Server> servers, Map<Server, Backend> byId) {
      this.servers = Collections.unmodifiableList(servers);
      this.byId = byId;
      IdentityHashMap<Server, Backend> identity = new IdentityHashMap<>();
      Map<String, Backend> cookies = new HashMap<>();
      for (Backend b : byId.values()) {
        identity.put(b.server, b);
        cookies.put(b.cookieValue, b);
      }
      this.byIdentity = identity;
      this.byCookie = cookies;
    }

    List<Server> routable() {
      List<Server> routable = new ArrayList<>(servers.size());
      for (Server s : servers) {
        if (!Objects.requireNonNull(byId.get(s)).draining) {
          routable.add(s);
        }
      }
      return routable;
    }
  }

  /** A waiting acquire, completed in FIFO order as slots free up. */
  private static final class Waiter {
    final Request request;
    final CompletableFuture<Lease> lease = new CompletableFuture<>();

    Waiter(Request request) {
      this.request = request;
    }
  }

  private final Algorithm algorithm;
  private final ServerPicker picker;
  private final @Nullable PeakEwma latencyAware; // the picker, when leases feed its estimates
  private final @Nullable ServerPicker panicPicker; // ignores health; null without a threshold
  private final double panicThreshold; // 0 when off
  private final int maxEjectionPercent;
  private final boolean sticky;
  private final @Nullable ConsistentHash<Server> ipRing;
  private final @Nullable SessionAffinity affinity;
  private final double ratePerSecond;
  private final long rateBurst;
  private final int maxConcurrent;
  private final int maxAttempts;
  private final RetryBudget retryBudget;
  private final Ticker ticker;
  private final List<LoadBalancerListener> listeners;
  private final LongAdder rejected = new LongAdder();
  private final Set<LoadBalancerListener> warnedListeners = ConcurrentHashMap.newKeySet();
  private final Predicate<Server> routeAdmission = this::admitForRoute;
  private final Predicate<Server> leaseAdmission = this::admitForLease;
  private final Object writeLock = new Object();
  private final ReentrantLock waitLock = new ReentrantLock();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by waitLock
  private volatile int waiting; // waiters.size(), for a lock-free look
  private volatile Members members;
  // Advanced under writeLock on every change to membership, drain or ejection.
  private final AtomicLong routingVersion = new AtomicLong();
  private volatile @Nullable PanicCheck panicCheck;

  /** Whether the balancer panics, and the state that verdict was computed from. */
  private static final class PanicCheck {
    final long epoch; // StateEpoch.current() before the scan
    final long version; // routingVersion before the scan
    final long firstExpiry; // when the first live ejection ends; NOT_EJECTED if none is live
    final boolean panic;

    PanicCheck(long epoch, long version, long firstExpiry, boolean panic) {
      this.epoch = epoch;
      this.version = version;
      this.firstExpiry = firstExpiry;
      this.panic = panic;
    }
  }

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
    List<Server> initial = Membership.validated(builder.servers);
    this.algorithm = builder.algorithm;
    this.sticky = builder.sticky;
    this.affinity = builder.affinity;
    this.ratePerSecond = builder.ratePerSecond;
    this.rateBurst = builder.rateBurst;
    this.maxConcurrent = builder.maxConcurrent;
    this.maxAttempts = builder.maxAttempts;
    this.maxEjectionPercent = builder.maxEjectionPercent;
    this.panicThreshold = builder.panicThreshold;
    this.ticker = builder.ticker;
    this.retryBudget =
        builder.retryBudget != null ? builder.retryBudget : RetryBudget.create(0.2, 10, ticker);
    this.listeners = new CopyOnWriteArrayList<>(builder.listeners);
    Map<Server, Backend> byId = new HashMap<>();
    for (Server s : initial) {
      byId.put(s, newBackend(s));
    }
    this.members = new Members(new ArrayList<>(initial), byId);
    this.picker = newPicker(builder, initial, false);
    this.latencyAware = picker instanceof PeakEwma ? (PeakEwma) picker : null;
    this.panicPicker = panicThreshold > 0 ? newPicker(builder, initial, true) : null;
    this.ipRing = sticky ? new ConsistentHash<>(initial) : null;
  }

  /**
   * Returns a picker of {@code algorithm}; with {@code ignoreHealth}, one that counts every server
   * as healthy (the panic picker).
   */
  private static ServerPicker newPicker(
      Builder builder, List<Server> servers, boolean ignoreHealth) {
    RandomGenerator random = builder.random;
    int choices = builder.choices;
    switch (builder.algorithm) {
      case ROUND_ROBIN:
        return new RoundRobin(servers, 0, ignoreHealth);
      case WEIGHTED_ROUND_ROBIN:
        return new WeightedRoundRobin(servers, ignoreHealth);
      case LEAST_CONNECTIONS:
        return ignoreHealth
            ? new LeastScan(servers, LeastScan.Measure.CONNECTIONS, true)
            : new LeastConnections(servers);
      case RANDOM:
        return new RandomPicker(servers, random, 1, ignoreHealth);
      case POWER_OF_TWO_CHOICES:
        return new RandomPicker(servers, random, choices, ignoreHealth);
      case LEAST_LOADED:
        return new LeastScan(servers, LeastScan.Measure.LOAD, ignoreHealth);
      case CONSISTENT_HASH:
        return new PlacementPicker(servers, builder.placement, builder.balanceFactor, ignoreHealth);
      case PEAK_EWMA:
        return ignoreHealth // the panic picker: latency estimates live in the main picker
            ? new RandomPicker(servers, random, 2, true)
            : new PeakEwma(servers, builder.ticker, random, builder.peakEwmaDecay);
    }
    throw new AssertionError(builder.algorithm);
  }

  private Backend newBackend(Server server) {
    TokenBucket bucket =
        ratePerSecond > 0 ? TokenBucket.create(ratePerSecond, rateBurst, ticker) : null;
    return new Backend(server, bucket);
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
    Backend chosen = choose(request, routeAdmission, false);
    if (chosen == null) {
      reject(request);
      return Optional.empty();
    }
    routed(request, chosen);
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
    Optional<Lease> lease = tryAcquire(request);
    if (lease.isEmpty()) {
      throw new NoServerAvailableException(noServerMessage(request));
    }
    return lease.get();
  }

  /**
   * Like {@link #acquire(Request)}, but empty instead of throwing when no server is admissible.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public Optional<Lease> tryAcquire(Request request) {
    Objects.requireNonNull(request, "request");
    Lease lease = waiting == 0 || noOneWaitsAfterDispatch() ? lease(request, leaseAdmission) : null;
    if (lease == null) {
      reject(request);
      return Optional.empty();
    }
    return Optional.of(lease);
  }

  /**
   * Acquires a lease, waiting up to {@code timeout} for a slot when every admissible server is at
   * its concurrency cap. Waiters are served in arrival order, and a new acquire does not overtake
   * them. The wait is measured in real time.
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
    Waiter waiter;
    waitLock.lock();
    try {
      if (waiters.isEmpty()) {
        Lease lease = lease(request, leaseAdmission);
        if (lease != null) {
          return lease;
        }
      }
      waiter = new Waiter(request);
      waiters.addLast(waiter);
      waiting = waiters.size();
    } finally {
      waitLock.unlock();
    }
    return await(waiter, timeout);
  }

  private Lease await(Waiter waiter, Duration timeout) throws InterruptedException {
    Ticker clock = Ticker.system(); // a wait is real time, whatever ticker measures the calls
    long deadline = clock.read() + SessionAffinity.saturatedNanos(timeout);
    try {
      for (long remaining = deadline - clock.read();
          remaining > 0;
          remaining = deadline - clock.read()) {
        try {
          return waiter.lease.get(
              Math.min(remaining, WAIT_RECHECK.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          // Slots are also freed by health changes, which do not call us: look again.
          dispatchWaiters();
        }
      }
    } catch (InterruptedException e) {
      Lease granted = abandon(waiter);
      if (granted != null) {
        granted.close(); // granted as we were interrupted: nobody will use it
      }
      throw e;
    } catch (ExecutionException e) {
      throw new AssertionError("a waiter's future is only completed normally", e);
    }
    Lease granted = abandon(waiter);
    if (granted != null) {
      return granted; // granted just as the wait ran out
    }
    reject(waiter.request);
    throw new NoServerAvailableException(noServerMessage(waiter.request) + " within " + timeout);
  }

  /**
   * Takes a waiter out of the queue and marks it abandoned; returns the lease it was granted
   * meanwhile, if any.
   */
  private @Nullable Lease abandon(Waiter waiter) {
    waitLock.lock();
    try {
      if (waiters.remove(waiter)) {
        waiting = waiters.size();
      }
    } finally {
      waitLock.unlock();
    }
    return waiter.lease.complete(null) ? null : waiter.lease.getNow(null);
  }

  /** Serves the queued waiters first; returns whether none is left waiting. */
  private boolean noOneWaitsAfterDispatch() {
    dispatchWaiters();
    return waiting == 0;
  }

  /**
   * Returns how many {@link #acquire(Request, Duration)} calls are waiting for a slot now. While
   * any are, acquires that do not wait fail rather than overtake them.
   */
  public int waitingAcquires() {
    return waiting;
  }

  /** Grants leases to waiters, first come first served, while slots are free. */
  private void dispatchWaiters() {
    if (waiting == 0) { // a waiter enqueued just after this read rechecks by itself soon
      return;
    }
    waitLock.lock();
    try {
      Waiter head;
      while ((head = waiters.peekFirst()) != null) {
        if (head.lease.isDone()) { // gave up
          waiters.pollFirst();
          continue;
        }
        Lease lease = lease(head.request, leaseAdmission);
        if (lease == null) {
          return;
        }
        waiters.pollFirst();
        if (!head.lease.complete(lease)) {
          lease.close();
        }
      }
    } finally {
      waiting = waiters.size();
      waitLock.unlock();
    }
  }

  /**
   * Runs {@code call} on an admissible server, failing over to other servers: when the call throws,
   * it is tried again on a server not yet tried, up to the configured number of attempts (3 by
   * default) and only while the retry budget allows (20% of requests plus 10 a second by default),
   * so retries cannot multiply the load during an outage. Every attempt runs under a lease, so it
   * is counted, timed and reported like any other.
   *
   * @return what the first successful attempt returned
   * @throws FailoverException if no attempt succeeded; its cause is the last attempt's failure,
   *     earlier ones are suppressed
   * @throws NoServerAvailableException if no server was admissible for the first attempt
   * @throws NullPointerException if an argument is null
   */
  public <T> T execute(Request request, BackendCall<T> call) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(call, "call");
    retryBudget.recordRequest();
    List<Server> tried = new ArrayList<>(maxAttempts);
    Throwable last = null;
    List<Throwable> earlier = new ArrayList<>();
    while (tried.size() < maxAttempts) {
      if (!tried.isEmpty() && !retryBudget.tryRetry()) {
        break;
      }
      Lease lease =
          waiting > 0 && !noOneWaitsAfterDispatch()
              ? null // queued waiters come first
              : lease(
                  request,
                  tried.isEmpty() ? leaseAdmission : s -> !tried.contains(s) && admitForLease(s));
      if (lease == null) {
        if (tried.isEmpty()) {
          reject(request);
          throw new NoServerAvailableException(noServerMessage(request));
        }
        break;
      }
      tried.add(lease.server());
      try {
        return call.call(lease.server());
      } catch (Exception e) {
        lease.fail(e);
        if (last != null) {
          earlier.add(last);
        }
        last = e;
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          break; // the caller wants to stop: no retry
        }
      } catch (Error e) {
        lease.fail(e);
        throw e;
      } finally {
        lease.close(); // after fail(), so the outcome is recorded
      }
    }
    FailoverException failure =
        new FailoverException(
            "call failed on " + tried.size() + " server(s) " + ids(tried) + " for " + request,
            last,
            tried.size());
    earlier.forEach(failure::addSuppressed);
    throw failure;
  }

  // ---------------------------------------------------------------- membership

  /**
   * Adds {@code server}; it takes requests from the next pick on. Adding a server already present
   * does nothing.
   *
   * @throws NullPointerException if {@code server} is null
   * @throws IllegalStateException if a server with the same id is draining
   */
  public void addServer(Server server) {
    Objects.requireNonNull(server, "server");
    synchronized (writeLock) {
      Members current = members;
      Backend present = current.byId.get(server);
      if (present != null) {
        if (present.draining) {
          throw new IllegalStateException("server: " + server + " (is draining)");
        }
        return;
      }
      List<Server> servers = new ArrayList<>(current.servers);
      servers.add(server);
      Map<Server, Backend> byId = new HashMap<>(current.byId);
      byId.put(server, newBackend(server));
      publish(new Members(servers, byId));
      if (ipRing != null) {
        ipRing.addNode(server);
      }
    }
    for (LoadBalancerListener listener : listeners) {
      try {
        listener.onServerAdded(server);
      } catch (RuntimeException e) {
        listenerFailed(listener, "on an added server", e);
      }
    }
    dispatchWaiters();
  }

  /**
   * Removes {@code server} (or the server with its id) at once: no new requests; leases already
   * open on it still close normally. To let calls finish first, {@link #drain} it instead. Removing
   * a server not present does nothing.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public void removeServer(Server server) {
    remove(Objects.requireNonNull(server, "server"), null);
  }

  /** Removes the backend of {@code server}, if it is {@code expected} (or any, if null). */
  private void remove(Server server, @Nullable Backend expected) {
    Backend removed;
    synchronized (writeLock) {
      Members current = members;
      removed = current.byId.get(server);
      if (removed == null || (expected != null && removed != expected)) {
        return;
      }
      List<Server> servers = new ArrayList<>(current.servers);
      servers.remove(removed.server);
      Map<Server, Backend> byId = new HashMap<>(current.byId);
      byId.remove(removed.server);
      publish(new Members(servers, byId));
      if (ipRing != null) {
        ipRing.removeNode(removed.server);
      }
    }
    for (LoadBalancerListener listener : listeners) {
      try {
        listener.onServerRemoved(removed.server);
      } catch (RuntimeException e) {
        listenerFailed(listener, "on a removed server", e);
      }
    }
    removed.drained.complete(null);
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
    Objects.requireNonNull(server, "server");
    Backend backend;
    synchronized (writeLock) {
      Members current = members;
      backend = current.byId.get(server);
      if (backend == null) {
        return CompletableFuture.completedFuture(null);
      }
      if (!backend.draining) {
        backend.draining = true;
        publish(current); // takes it out of the picker
        if (ipRing != null) {
          ipRing.removeNode(backend.server);
        }
        // Whoever closes the server's last connection (this balancer, another one holding the
        // server, or an acquire giving back a slot it took provisionally) finishes the drain.
        Runnable finish = () -> finishDrainIfIdle(backend);
        CompletableFuture<Void> unused =
            backend.drained.whenComplete(
                (done, error) -> backend.server.stopTellingWhenIdle(finish));
        backend.server.whenIdle(finish);
      }
    }
    return backend.drained;
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
    synchronized (writeLock) {
      Members current = members;
      Backend target = current.byId.get(server);
      if (target == null) {
        return false;
      }
      long now = ticker.read();
      if (!target.draining && !target.ejectedAt(now)) {
        int routable = 0;
        int ejected = 0;
        for (Backend b : current.byId.values()) {
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
      target.ejectUntil(Backend.deadline(now, nanos));
      routingVersion.incrementAndGet();
    }
    return true;
  }

  /**
   * Ends the ejection of {@code server} at once, if it is ejected.
   *
   * @return whether it was ejected
   * @throws NullPointerException if {@code server} is null
   */
  public boolean uneject(Server server) {
    Objects.requireNonNull(server, "server");
    boolean wasEjected;
    synchronized (writeLock) {
      Backend backend = members.byId.get(server);
      if (backend == null) {
        return false;
      }
      wasEjected = backend.ejectedAt(ticker.read());
      backend.clearEjection();
      routingVersion.incrementAndGet();
    }
    if (wasEjected) {
      dispatchWaiters();
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
    Backend backend = members.byId.get(Objects.requireNonNull(server, "server"));
    return backend != null && backend.isEjected(ticker);
  }

  /**
   * Returns whether {@code server} is a member of this balancer and draining.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public boolean isDraining(Server server) {
    Backend backend = members.byId.get(Objects.requireNonNull(server, "server"));
    return backend != null && backend.draining;
  }

  /**
   * Returns whether the balancer panics now: a {@linkplain Builder#panicThreshold panic threshold}
   * is set and fewer than that share of the servers that are not draining are healthy and not
   * ejected. Always false without a threshold.
   */
  public boolean isPanicking() {
    return panicPicker != null && panics();
  }

  private static void checkEjectionPercent(int maxEjectionPercent) {
    if (maxEjectionPercent < 1 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException(
          "maxEjectionPercent: " + maxEjectionPercent + " (expected: 1..100)");
    }
  }

  // ---------------------------------------------------------------- membership, continued

  /** Returns the servers of this balancer, draining ones included, in order of addition. */
  public List<Server> servers() {
    return members.servers;
  }

  /** Installs {@code next} (perhaps the current members, after a drain); under the write lock. */
  private void publish(Members next) {
    members = next;
    List<Server> routable = next.routable();
    picker.setServers(routable);
    if (panicPicker != null) {
      panicPicker.setServers(routable);
    }
    routingVersion.incrementAndGet();
  }

  private void finishDrainIfIdle(Backend backend) {
    if (backend.draining && backend.server.activeConnections() == 0 && !backend.drained.isDone()) {
      remove(backend.server, backend);
    }
  }

  // ---------------------------------------------------------------- stats and affinity

  /** Returns an immutable snapshot of the counters, per server (draining ones included). */
  public Stats stats() {
    Members current = members;
    List<ServerStats> servers = new ArrayList<>(current.servers.size());
    for (Server s : current.servers) {
      Backend backend = Objects.requireNonNull(current.byId.get(s));
      servers.add(backend.stats(backend.isEjected(ticker)));
    }
    return new Stats(servers, rejected.sum());
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
   * later requests come back to it: that of a {@link SessionAffinity.Method#COOKIE} affinity given
   * to the builder (see {@link SessionAffinity#cookieValue}), else one keyed by a random secret of
   * this process, which every {@code sticky(true)} balancer of the process honours.
   */
  public String affinityCookieValue(Server server) {
    SessionAffinity pins = affinity;
    return pins != null && pins.method() == SessionAffinity.Method.COOKIE
        ? pins.cookieValue(server)
        : SessionAffinity.processCookieValue(server);
  }

  /**
   * Adds a listener; it hears every later routing decision and closed lease.
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

  /** Returns the backend of {@code server}, or null if it is not a member; for metrics. */
  @Nullable Backend backend(Server server) {
    return members.byId.get(server);
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
    return "LoadBalancer{" + algorithm + ", servers=" + members.servers + "}";
  }

  // ---------------------------------------------------------------- internals

  /**
   * Chooses a backend: affinity first, then the algorithm, each server offered to {@code admit} at
   * most once per step. Returns null when none is admitted.
   */
  private @Nullable Backend choose(Request request, Predicate<Server> admit, boolean leasing) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Server chosen = pick(request, admit);
      if (chosen == null) {
        return null;
      }
      Backend backend = members.byIdentity.get(chosen);
      if (backend != null) {
        return backend;
      }
      // Removed between its admission and now: give back the slot it took, and pick again.
      if (leasing) {
        chosen.connectionClosed();
      }
    }
    return null;
  }

  private @Nullable Server pick(Request request, Predicate<Server> admit) {
    Members current = members;
    if (sticky) {
      String cookie = request.cookie(SessionAffinity.DEFAULT_COOKIE_NAME);
      if (cookie != null) {
        Backend pinned = current.byCookie.get(cookie);
        if (pinned != null && admit.test(pinned.server)) {
          return pinned.server;
        }
      }
      String ip = request.clientIp();
      if (ip != null) {
        return Objects.requireNonNull(ipRing).getNode(ip, admit);
      }
    }
    SessionAffinity pins = affinity;
    if (pins != null
        && (pins.method() == SessionAffinity.Method.COOKIE || pins.affinityKey(request) != null)) {
      Optional<Server> pinned = pins.getServer(request);
      if (pinned.isPresent()) {
        Backend backend = current.byId.get(pinned.get());
        if (backend != null && admit.test(backend.server)) {
          return backend.server;
        }
      }
      Server chosen = algorithmPick(request, admit);
      if (chosen != null) {
        pins.pin(request, chosen);
      }
      return chosen;
    }
    return algorithmPick(request, admit);
  }

  /** The algorithm's pick, or while the balancer panics, the panic picker's. */
  private @Nullable Server algorithmPick(Request request, Predicate<Server> admit) {
    ServerPicker all = panicPicker;
    if (all != null && panics()) {
      return panicPick(all, request, admit);
    }
    return picker.next(request, admit);
  }

  /**
   * Offers {@code all}'s pick to {@code admit} and then the other servers in list order, unhealthy
   * ones included (the default walk of {@link ServerPicker#next(Request, Predicate)} skips them).
   */
  private static @Nullable Server panicPick(
      ServerPicker all, Request request, Predicate<Server> admit) {
    Server first = all.next(request);
    if (first == null || admit.test(first)) {
      return first;
    }
    List<Server> servers = all.servers();
    int n = servers.size();
    int start = servers.indexOf(first); // -1 if it left the list meanwhile: then offer them all
    for (int step = 1; step <= n; step++) {
      int index = (start + step) % n;
      if (index != start && admit.test(servers.get(index))) {
        return servers.get(index);
      }
    }
    return null;
  }

  /**
   * Returns whether the balancer panics; a panic threshold must be set. Reuses the last verdict
   * while the state epoch, the routing version and the live ejections are as they were.
   */
  private boolean panics() {
    // Read the epoch and the version before the state the scan reads (see StateEpoch).
    long epoch = StateEpoch.current();
    long version = routingVersion.get();
    PanicCheck check = panicCheck;
    if (check != null
        && check.epoch == epoch
        && check.version == version
        && (check.firstExpiry == Backend.NOT_EJECTED || check.firstExpiry - ticker.read() > 0)) {
      return check.panic;
    }
    PanicCheck fresh = checkPanic(epoch, version);
    panicCheck = fresh; // racing writers store verdicts that are each right for their reads
    return fresh.panic;
  }

  /** Counts the healthy servers among those not draining: O(n), on a change only. */
  private PanicCheck checkPanic(long epoch, long version) {
    long now = ticker.read();
    int routable = 0;
    int healthy = 0;
    long firstExpiry = Backend.NOT_EJECTED;
    for (Backend b : members.byIdentity.values()) {
      if (b.draining) {
        continue;
      }
      routable++;
      long until = b.ejectedUntil();
      boolean ejected = until != Backend.NOT_EJECTED && until - now > 0;
      if (ejected && (firstExpiry == Backend.NOT_EJECTED || until - firstExpiry < 0)) {
        firstExpiry = until;
      }
      if (!ejected && b.server.isHealthy()) {
        healthy++;
      }
    }
    return new PanicCheck(epoch, version, firstExpiry, healthy < panicThreshold * routable);
  }

  /**
   * Returns whether health and ejection let {@code backend} in: when it is healthy and not ejected,
   * or, only then asked, when the balancer panics.
   */
  private boolean inRotation(Backend backend) {
    if (backend.server.isHealthy() && !backend.isEjected(ticker)) {
      return true;
    }
    return panicPicker != null && panics();
  }

  /**
   * Returns {@code server}'s backend if it is a member, not draining and in rotation; else null.
   */
  private @Nullable Backend candidate(Server server) {
    Backend backend = members.byIdentity.get(server);
    return backend == null || backend.draining || !inRotation(backend) ? null : backend;
  }

  private boolean admitForRoute(Server server) {
    Backend backend = candidate(server);
    if (backend == null || server.activeConnections() >= maxConcurrent) {
      return false;
    }
    TokenBucket bucket = backend.rateLimit;
    return bucket == null || bucket.tryAcquire();
  }

  /** Like {@link #admitForRoute}, but takes the concurrency slot atomically. */
  private boolean admitForLease(Server server) {
    Backend backend = candidate(server);
    if (backend == null || !server.tryConnectionOpened(maxConcurrent)) {
      return false;
    }
    // Look at the drain flag again now that the slot is taken: a drain that saw no connections
    // has set it before looking, so one of the two sees the other (see drain()).
    TokenBucket bucket = backend.rateLimit;
    if (backend.draining || (bucket != null && !bucket.tryAcquire())) {
      server.connectionClosed();
      return false;
    }
    return true;
  }

  private @Nullable Lease lease(Request request, Predicate<Server> admit) {
    Backend backend = choose(request, admit, true);
    if (backend == null) {
      return null;
    }
    routed(request, backend);
    return new Lease(this, backend, request, ticker.read());
  }

  /** The algorithm's picker, for tests in this package. */
  ServerPicker pickerForTest() {
    return picker;
  }

  /** Called once per lease, by {@link Lease#close()}. */
  void release(Lease lease) {
    Backend backend = lease.backend();
    long nanos = ticker.read() - lease.startedAt();
    Throwable failure = lease.failure();
    backend.server.connectionClosed();
    backend.recordLease(nanos, failure != null);
    PeakEwma latencyAware = this.latencyAware;
    if (latencyAware != null) {
      if (failure == null) {
        latencyAware.observe(backend.server, nanos);
      } else {
        latencyAware.observeFailure(backend.server, nanos);
      }
    }
    for (LoadBalancerListener listener : listeners) {
      try {
        listener.onLeaseClosed(lease.request(), backend.server, nanos, failure);
      } catch (RuntimeException e) {
        listenerFailed(listener, "on a closed lease", e);
      }
    }
    dispatchWaiters();
  }

  private void routed(Request request, Backend backend) {
    backend.requests.increment();
    for (LoadBalancerListener listener : listeners) {
      try {
        listener.onRouted(request, backend.server);
      } catch (RuntimeException e) {
        listenerFailed(listener, "on a routed request", e);
      }
    }
  }

  private void reject(Request request) {
    rejected.increment();
    for (LoadBalancerListener listener : listeners) {
      try {
        listener.onRejected(request);
      } catch (RuntimeException e) {
        listenerFailed(listener, "on a rejected request", e);
      }
    }
  }

  /** Logs a listener's failure: the first one with its stack trace, later ones briefly. */
  private void listenerFailed(LoadBalancerListener listener, String when, RuntimeException e) {
    if (warnedListeners.add(listener)) {
      LOG.log(Level.WARNING, "listener " + listener + " threw " + when + "; ignored", e);
    } else {
      LOG.log(Level.DEBUG, () -> "listener " + listener + " threw " + when + " again: " + e);
    }
  }

  private String noServerMessage(Request request) {
    return "no admissible server for "
        + request
        + " among "
        + members.servers.size()
        + " server(s)";
  }

  private static List<String> ids(List<Server> servers) {
    List<String> ids = new ArrayList<>(servers.size());
    servers.forEach(s -> ids.add(s.id()));
    return ids;
  }

  /**
   * Builds a {@link LoadBalancer}. Not thread-safe; every setter validates its argument at once and
   * returns this builder.
   */
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
    private int maxEjectionPercent = 10;
    private double panicThreshold; // 0: off
    private @Nullable RetryBudget retryBudget;
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
      if (!(perSecond > 0 && perSecond <= 1e9)) {
        throw new IllegalArgumentException(
            "perSecond: " + perSecond + " (expected: > 0 and <= 1.0E9)");
      }
      if (burst < 1) {
        throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
      }
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
      if (maxConcurrent < 1) {
        throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: >= 1)");
      }
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

    /** Returns the balancer. */
    public LoadBalancer build() {
      return new LoadBalancer(this);
    }
  }
}
