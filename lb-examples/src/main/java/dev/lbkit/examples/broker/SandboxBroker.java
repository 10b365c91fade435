package dev.lbkit.examples.broker;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import dev.lbkit.examples.broker.BrokerMetrics.Outcome;
import dev.lbkit.examples.http.Arguments;
import dev.lbkit.health.Scheduler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A pool of pre-created sandboxes handed out to tracks one at a time (seed 001): {@link #allocate}
 * gives a track a sandbox of its own, {@link #markForDeletion} gives it back, and a background job
 * expires allocations older than the TTL (4.5 hours by default) so that a track that crashed does
 * not keep its sandbox forever.
 *
 * <pre>{@code
 * try (SandboxBroker broker = SandboxBroker.builder(sandboxes).ttl(Duration.ofHours(4)).build()) {
 *   Optional<Allocation> a = broker.allocate("track-7", "lab-start-1234");  // empty: pool empty
 *   ...
 *   broker.markForDeletion(a.get().sandboxId(), "track-7");
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Exclusive</b>: a sandbox is allocated to at most one allocation at a time, however many
 *       threads allocate at once; only healthy sandboxes are handed out.
 *   <li><b>Idempotent</b>: while an allocation lasts, {@code allocate} with the same track and
 *       idempotency key returns it again ({@link Allocation#replayed()} true), also when the
 *       retries run concurrently with the first request. Keys are scoped by track. Once the
 *       allocation ended (released or expired), the key is free and allocates anew.
 *   <li><b>Expiry</b>: every sweep interval (1 minute by default) a job on the broker's {@link
 *       Scheduler} releases the allocations whose age, by the broker's {@link Ticker}, has reached
 *       the TTL; so one is expired between {@code ttl} and {@code ttl + sweepInterval} after it was
 *       made.
 *   <li><b>Clean stop</b>: {@link #close()} stops the job, releases every allocation and, when the
 *       broker runs its own scheduler thread, returns only once that thread has ended.
 * </ul>
 *
 * <p>How lbkit makes allocation exclusive without a lock is told in the {@linkplain
 * dev.lbkit.examples.broker package documentation}. The sandbox servers' connection counts are that
 * exclusivity, so they must not be leased by any other balancer. Their health decides what is
 * handed out and {@link #isReady()}; write it with lb-health's checker, for instance:
 *
 * <pre>{@code
 * HealthChecker checker = HealthChecker.builder().probe(Probe.http("/ping")).build();
 * checker.watch(sandboxes);
 * checker.start();
 * }</pre>
 *
 * <p>Every method is thread-safe. {@code allocate} costs a map insert and lbkit's k-candidate pick
 * (O(k), more only when nearly every sandbox is taken); release costs two map removals.
 */
public final class SandboxBroker implements AutoCloseable {

  /** The seed's lab duration plus its buffer: 4 h + 0.5 h. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(270);

  /** How often the expiry job runs unless told otherwise. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);

  /** The seed's K_CANDIDATES. */
  public static final int DEFAULT_CHOICES = 15;

  private static final System.Logger LOG = System.getLogger(SandboxBroker.class.getName());
  private static final Pattern TRACK_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");

  /** An allocation while it lasts: what the broker knows about one held sandbox. */
  private static final class Held {
    final String sandboxId;
    final TrackKey key;
    final CompletableFuture<Optional<Held>> future; // the entry for key, completed with this
    final Lease lease;
    final long allocatedAt;
    volatile boolean released;

    Held(TrackKey key, CompletableFuture<Optional<Held>> future, Lease lease, long allocatedAt) {
      this.sandboxId = lease.server().id();
      this.key = key;
      this.future = future;
      this.lease = lease;
      this.allocatedAt = allocatedAt;
    }
  }

  /** An idempotency key, scoped by the track that sent it. */
  private record TrackKey(String trackId, String idempotencyKey) {}

  /** Why an allocation ended: what is counted and logged. */
  private enum Ending {
    DELETED,
    EXPIRED,
    CLOSED
  }

  private final LoadBalancer pool;
  private final Map<String, Server> sandboxes; // by id, in pool order
  private final Map<String, Held> bySandbox = new ConcurrentHashMap<>();
  private final Map<TrackKey, CompletableFuture<Optional<Held>>> byKey = new ConcurrentHashMap<>();
  private final Ticker ticker;
  private final Duration ttl;
  private final long sweepNanos;
  private final Scheduler scheduler;
  private final @Nullable OwnScheduler ownScheduler;
  private final PrometheusMeterRegistry registry;
  private final BrokerMetrics metrics;
  private final Object lifecycle = new Object();
  private volatile boolean closed;
  private Scheduler.@Nullable Cancellable nextSweep; // guarded by lifecycle

  private SandboxBroker(Builder builder) {
    this.ticker = builder.ticker;
    this.ttl = builder.ttl;
    this.sweepNanos = builder.sweepInterval.toNanos();
    this.pool =
        LoadBalancer.builder(builder.sandboxes)
            .algorithm(Algorithm.POWER_OF_TWO_CHOICES)
            .choices(builder.choices)
            .maxConcurrent(1)
            .random(builder.random)
            .ticker(ticker)
            .build();
    Map<String, Server> byId = new LinkedHashMap<>();
    for (Server s : pool.servers()) {
      byId.put(s.id(), s);
    }
    this.sandboxes = Collections.unmodifiableMap(byId);
    Scheduler given = builder.scheduler;
    this.ownScheduler = given == null ? new OwnScheduler() : null;
    this.scheduler = given != null ? given : Objects.requireNonNull(ownScheduler);
    this.registry =
        builder.registry != null
            ? builder.registry
            : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new BrokerMetrics(registry, this);
    synchronized (lifecycle) {
      nextSweep = scheduler.schedule(this::sweep, sweepNanos);
    }
  }

  /**
   * Returns a builder of a broker over {@code sandboxes}, each a server of its own id.
   *
   * @throws NullPointerException if {@code sandboxes} or an element is null
   * @throws IllegalArgumentException if it is empty or two sandboxes have the same id
   */
  public static Builder builder(List<Server> sandboxes) {
    return new Builder(sandboxes);
  }

  // ---------------------------------------------------------------- allocation

  /**
   * Allocates a healthy free sandbox to {@code trackId}, or returns the allocation this track
   * already holds under {@code idempotencyKey}. Never blocks on other allocations, except that a
   * retry racing the first request with its key waits for that request's outcome (which takes
   * microseconds).
   *
   * @return the allocation, or empty when no healthy sandbox is free
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code trackId} is not 1 to 64 of {@code [A-Za-z0-9._-]},
   *     or {@code idempotencyKey} not 1 to 128 printable ASCII characters
   * @throws IllegalStateException if the broker is closed
   */
  public Optional<Allocation> allocate(String trackId, String idempotencyKey) {
    checkTrackId(trackId);
    checkIdempotencyKey(idempotencyKey);
    long start = ticker.read();
    TrackKey key = new TrackKey(trackId, idempotencyKey);
    CompletableFuture<Optional<Held>> mine = new CompletableFuture<>();
    while (true) {
      ensureOpen();
      CompletableFuture<Optional<Held>> earlier = byKey.putIfAbsent(key, mine);
      if (earlier == null) {
        break;
      }
      Optional<Held> outcome = earlier.join(); // the first request never blocks: microseconds
      if (outcome.isEmpty()) { // it found the pool empty, and so do we
        metrics.allocation(Outcome.NO_SANDBOXES, ticker.read() - start);
        return Optional.empty();
      }
      Held held = outcome.get();
      if (!held.released) {
        metrics.allocation(Outcome.IDEMPOTENT, ticker.read() - start);
        LOG.log(Level.DEBUG, () -> "replayed " + held.sandboxId + " to track " + trackId);
        return Optional.of(view(held, true));
      }
      byKey.remove(key, earlier); // released meanwhile: its key is on its way out; help, retry
    }
    Optional<Lease> lease;
    try {
      lease = pool.tryAcquire(Request.builder().key(trackId).build());
    } catch (RuntimeException | Error e) {
      abandon(key, mine);
      throw e;
    }
    if (lease.isEmpty()) {
      abandon(key, mine);
      metrics.allocation(Outcome.NO_SANDBOXES, ticker.read() - start);
      LOG.log(Level.DEBUG, () -> "no sandbox free for track " + trackId);
      return Optional.empty();
    }
    Held held = new Held(key, mine, lease.get(), ticker.read());
    Held holder = bySandbox.putIfAbsent(held.sandboxId, held);
    if (holder != null) { // the lease is exclusive: this would be a bug in the pool
      lease.get().close();
      abandon(key, mine);
      throw new IllegalStateException(
          "sandbox " + held.sandboxId + " leased while held by track " + holder.key.trackId());
    }
    mine.complete(Optional.of(held));
    if (closed) { // close() may have swept before our put: do not leak the lease
      release(held, Ending.CLOSED);
      throw new IllegalStateException("broker is closed");
    }
    metrics.allocation(Outcome.SUCCESS, held.allocatedAt - start);
    LOG.log(Level.DEBUG, () -> "allocated " + held.sandboxId + " to track " + trackId);
    return Optional.of(view(held, false));
  }

  /** Removes a key's entry that allocated nothing, and tells its waiting retries so. */
  private void abandon(TrackKey key, CompletableFuture<Optional<Held>> mine) {
    byKey.remove(key, mine);
    mine.complete(Optional.empty());
  }

  private Allocation view(Held held, boolean replayed) {
    Duration left = ttl.minusNanos(ticker.read() - held.allocatedAt);
    return new Allocation(
        held.sandboxId,
        held.key.trackId(),
        held.key.idempotencyKey(),
        left.isNegative() ? Duration.ZERO : left,
        replayed);
  }

  // ---------------------------------------------------------------- release

  /**
   * Releases {@code sandboxId} if {@code trackId} holds it: the sandbox goes back to the pool, and
   * its idempotency key is free again. The check and the release are one atomic step, so a track
   * can never release an allocation made after the one it saw.
   *
   * @return {@link ReleaseOutcome#RELEASED}, or why nothing changed
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if the broker is closed
   */
  public ReleaseOutcome markForDeletion(String sandboxId, String trackId) {
    Objects.requireNonNull(trackId, "trackId");
    return releaseFor(sandboxId, trackId);
  }

  /**
   * Releases {@code sandboxId} whoever holds it (the admin's release).
   *
   * @return {@link ReleaseOutcome#RELEASED}, or why nothing changed (never {@link
   *     ReleaseOutcome#NOT_YOURS})
   * @throws NullPointerException if {@code sandboxId} is null
   * @throws IllegalStateException if the broker is closed
   */
  public ReleaseOutcome markForDeletion(String sandboxId) {
    return releaseFor(sandboxId, null);
  }

  /** Releases {@code sandboxId} if {@code trackId} holds it, or whoever does if it is null. */
  private ReleaseOutcome releaseFor(String sandboxId, @Nullable String trackId) {
    Objects.requireNonNull(sandboxId, "sandboxId");
    ensureOpen();
    if (!sandboxes.containsKey(sandboxId)) {
      return ReleaseOutcome.UNKNOWN_SANDBOX;
    }
    Held held = bySandbox.get(sandboxId);
    if (held == null) {
      return ReleaseOutcome.NOT_ALLOCATED;
    }
    if (trackId != null && !trackId.equals(held.key.trackId())) {
      return ReleaseOutcome.NOT_YOURS;
    }
    // Released by someone else since our read (expiry, the admin): then it is no longer allocated
    // to the holder we checked, and a later allocation of the sandbox is not ours to end.
    return release(held, Ending.DELETED) ? ReleaseOutcome.RELEASED : ReleaseOutcome.NOT_ALLOCATED;
  }

  /**
   * Ends {@code held} if it still stands; returns whether this call ended it. The lease is closed
   * last, so the sandbox is handed out again only once nothing points at this allocation.
   */
  private boolean release(Held held, Ending ending) {
    if (!bySandbox.remove(held.sandboxId, held)) {
      return false; // released or expired by another thread
    }
    held.released = true;
    byKey.remove(held.key, held.future);
    held.lease.close();
    switch (ending) {
      case DELETED:
        metrics.deleted();
        LOG.log(
            Level.DEBUG,
            () -> "released " + held.sandboxId + " of track " + held.key.trackId() + " (deleted)");
        break;
      case EXPIRED:
        metrics.expired();
        LOG.log(
            Level.INFO,
            () ->
                "expired " + held.sandboxId + " of track " + held.key.trackId() + " after " + ttl);
        break;
      case CLOSED:
        break;
    }
    return true;
  }

  // ---------------------------------------------------------------- expiry

  /** The expiry job: releases every allocation whose age reached the TTL, then runs again. */
  private void sweep() {
    if (closed) {
      return;
    }
    try {
      long now = ticker.read();
      long ttlNanos = ttl.toNanos();
      for (Held held : bySandbox.values()) {
        if (now - held.allocatedAt >= ttlNanos) {
          release(held, Ending.EXPIRED);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the expiry sweep failed; it runs again next interval", e);
    } finally {
      synchronized (lifecycle) {
        if (!closed) {
          nextSweep = scheduler.schedule(this::sweep, sweepNanos);
        }
      }
    }
  }

  // ---------------------------------------------------------------- reading

  /** Returns the sandbox {@code sandboxId} as it is now, or empty if the pool has no such id. */
  public Optional<SandboxView> sandbox(String sandboxId) {
    Server server = sandboxes.get(Objects.requireNonNull(sandboxId, "sandboxId"));
    return server == null ? Optional.empty() : Optional.of(view(server, ticker.read()));
  }

  /** Returns every sandbox of the pool, in pool order, as it is now. O(n). */
  public List<SandboxView> sandboxes() {
    long now = ticker.read();
    List<SandboxView> all = new ArrayList<>(sandboxes.size());
    for (Server server : sandboxes.values()) {
      all.add(view(server, now));
    }
    return List.copyOf(all);
  }

  private SandboxView view(Server server, long now) {
    Held held = bySandbox.get(server.id());
    return held == null
        ? new SandboxView(server.id(), server.isHealthy(), null, null)
        : new SandboxView(
            server.id(),
            server.isHealthy(),
            held.key.trackId(),
            Duration.ofNanos(now - held.allocatedAt));
  }

  /** Returns how many sandboxes the pool has. */
  public int size() {
    return sandboxes.size();
  }

  /** Returns how many sandboxes are healthy now, allocated or not. O(n). */
  public int healthy() {
    int healthy = 0;
    for (Server server : sandboxes.values()) {
      if (server.isHealthy()) {
        healthy++;
      }
    }
    return healthy;
  }

  /** Returns how many sandboxes are allocated now. */
  public int allocated() {
    return bySandbox.size();
  }

  /** Returns how many sandboxes are healthy and free now. O(n). */
  public int available() {
    int available = 0;
    for (Server server : sandboxes.values()) {
      if (server.isHealthy() && !bySandbox.containsKey(server.id())) {
        available++;
      }
    }
    return available;
  }

  /** Returns whether the broker can serve: open, with at least one healthy sandbox. */
  public boolean isReady() {
    if (closed) {
      return false;
    }
    for (Server server : sandboxes.values()) {
      if (server.isHealthy()) {
        return true;
      }
    }
    return false;
  }

  /** Returns the TTL after which allocations expire. */
  public Duration ttl() {
    return ttl;
  }

  /** Returns the registry holding the broker's meters (and the HTTP server's). */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops the expiry job and releases every allocation (without counting them as deleted or
   * expired). A broker that runs its own scheduler thread returns only once that thread has ended.
   * Idempotent. Later calls to {@code allocate} and {@code markForDeletion} throw {@link
   * IllegalStateException}.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      Scheduler.Cancellable next = nextSweep;
      if (next != null) {
        next.cancel();
      }
      nextSweep = null;
    }
    for (Held held : bySandbox.values()) {
      release(held, Ending.CLOSED);
    }
    if (ownScheduler != null) {
      ownScheduler.shutdown();
    }
  }

  /** Returns whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("broker is closed");
    }
  }

  @Override
  public String toString() {
    return "SandboxBroker{"
        + allocated()
        + " of "
        + size()
        + " allocated, ttl "
        + ttl
        + (closed ? ", closed" : "")
        + "}";
  }

  // ---------------------------------------------------------------- validation

  /** Checks a track id: 1 to 64 of {@code [A-Za-z0-9._-]}, so it is safe in logs and JSON. */
  static String checkTrackId(String trackId) {
    Objects.requireNonNull(trackId, "trackId");
    if (!TRACK_ID.matcher(trackId).matches()) {
      throw new IllegalArgumentException(
          "trackId: '" + shorten(trackId) + "' (expected: 1 to 64 of [A-Za-z0-9._-])");
    }
    return trackId;
  }

  static String checkIdempotencyKey(String key) {
    Objects.requireNonNull(key, "idempotencyKey");
    if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "idempotencyKey: '"
              + shorten(key)
              + "' (expected: 1 to 128 printable ASCII characters, no space)");
    }
    return key;
  }

  /** Quotes at most 80 characters of a bad value, with its length when cut. */
  private static String shorten(String value) {
    return value.length() <= 80
        ? value
        : value.substring(0, 80) + "...' (" + value.length() + " characters)";
  }

  // ---------------------------------------------------------------- scheduler

  /** The broker's own scheduler: one daemon thread, ended and joined by {@link #shutdown()}. */
  private static final class OwnScheduler implements Scheduler {
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor executor;

    OwnScheduler() {
      this.executor =
          new ScheduledThreadPoolExecutor(
              1,
              task -> {
                Thread thread = new Thread(task, "lbkit-broker-expiry");
                thread.setDaemon(true);
                threads.add(thread);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      ScheduledFuture<?> future =
          executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    }

    /** Stops the thread and waits (5 s at most) until it has ended. */
    void shutdown() {
      executor.shutdownNow();
      try {
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
          LOG.log(Level.WARNING, "the expiry thread did not stop within 5 s");
        }
        for (Thread thread : threads) {
          if (thread != Thread.currentThread()) {
            thread.join(TimeUnit.SECONDS.toMillis(5));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- builder

  /** Builds a {@link SandboxBroker}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private final List<Server> sandboxes;
    private Duration ttl = DEFAULT_TTL;
    private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
    private int choices = DEFAULT_CHOICES;
    private Ticker ticker = Ticker.system();
    private RandomGenerator random = RandomSources.threadLocal();
    private @Nullable Scheduler scheduler;
    private @Nullable PrometheusMeterRegistry registry;

    private Builder(List<Server> sandboxes) {
      Objects.requireNonNull(sandboxes, "sandboxes");
      if (sandboxes.isEmpty()) {
        throw new IllegalArgumentException("sandboxes: [] (expected: at least one)");
      }
      for (int i = 0; i < sandboxes.size(); i++) {
        Objects.requireNonNull(sandboxes.get(i), "sandboxes[" + i + "]");
      }
      this.sandboxes = List.copyOf(sandboxes);
    }

    /**
     * Sets how long an allocation lasts before the expiry job releases it; {@link #DEFAULT_TTL}
     * (4.5 h) by default.
     *
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public Builder ttl(Duration ttl) {
      this.ttl = Arguments.positive(ttl, "ttl");
      return this;
    }

    /**
     * Sets how often the expiry job runs; 1 minute by default.
     *
     * @throws IllegalArgumentException if {@code sweepInterval} is not positive
     */
    public Builder sweepInterval(Duration sweepInterval) {
      this.sweepInterval = Arguments.positive(sweepInterval, "sweepInterval");
      return this;
    }

    /**
     * Sets k, how many random candidate sandboxes each allocation draws ({@link #DEFAULT_CHOICES}
     * by default).
     *
     * @throws IllegalArgumentException if {@code choices} is below 2
     */
    public Builder choices(int choices) {
      this.choices = Arguments.atLeast(choices, 2, "choices");
      return this;
    }

    /** Sets the ticker that dates allocations and times them; the system one by default. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets the random source of the candidate draws; thread-safe, {@link
     * RandomSources#threadLocal()} by default.
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Runs the expiry job on {@code scheduler} (tests pass a fake one) instead of the broker's own
     * daemon thread. The broker cancels its job on close but never shuts a given scheduler down.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Registers the broker's meters in {@code registry}; a new one of its own by default. */
    public Builder meterRegistry(PrometheusMeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Returns the broker, its expiry job scheduled.
     *
     * @throws IllegalArgumentException if two sandboxes have the same id
     */
    public SandboxBroker build() {
      return new SandboxBroker(this);
    }
  }
}
