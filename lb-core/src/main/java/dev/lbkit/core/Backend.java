package dev.lbkit.core;

import dev.lbkit.core.internal.AffinityCookies;
import dev.lbkit.hashing.Identified;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link LoadBalancer} keeps about one of its servers: limits, drain and ejection state,
 * counters. The balancer's placements hold backends (named by their server's id), so a lookup
 * returns what admission needs without a map lookup.
 */
final class Backend implements Identified {

  /**
   * The value of {@link #ejectedUntil} when the server is not ejected. Any long is a possible
   * ticker reading, so a deadline that happens to equal it is moved one nanosecond later (see
   * {@link #deadline}).
   */
  static final long NOT_EJECTED = Long.MIN_VALUE;

  private static final VarHandle EJECTED_UNTIL;

  static {
    try {
      EJECTED_UNTIL =
          MethodHandles.lookup().findVarHandle(Backend.class, "ejectedUntil", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Server server;

  /** {@code Optional.of(server)}, made once so that routing allocates nothing. */
  final Optional<Server> asOptional;

  volatile @Nullable TokenBucket rateLimit;
  volatile int maxConcurrent;

  /** Whether the limits above are this server's own, kept through balancer-wide changes. */
  boolean rateOverridden; // under the roster's write lock

  boolean capOverridden; // under the roster's write lock

  /** The affinity cookie naming this server, under its balancer's secret; null unless sticky. */
  final AffinityCookies.@Nullable Token cookie;

  final LongAdder requests = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LatencyHistogram latency = new LatencyHistogram();
  final CompletableFuture<Void> drained = new CompletableFuture<>();
  volatile boolean draining;

  /** When it joined, by the roster's count: members (and candidates) are in this order. */
  long order;

  /** False once the server left the balancer; a stale routing table may still offer it. */
  volatile boolean member = true;

  /**
   * The ticker reading at which the server's ejection ends, or {@link #NOT_EJECTED}. Written under
   * the balancer's write lock, except that a reader who finds the deadline passed may reset it to
   * {@link #NOT_EJECTED} by compare-and-set, so later admissions skip the clock (a new ejection
   * installed meanwhile has another value and survives the reset).
   */
  private volatile long ejectedUntil = NOT_EJECTED;

  Backend(
      Server server,
      @Nullable TokenBucket rateLimit,
      int maxConcurrent,
      AffinityCookies.@Nullable Token cookie) {
    this.server = server;
    this.maxConcurrent = maxConcurrent;
    this.asOptional = Optional.of(server);
    this.rateLimit = rateLimit;
    this.cookie = cookie;
  }

  /** The server's id: a backend's name in the balancer's placements. */
  @Override
  public String id() {
    return server.id();
  }

  /** Takes a rate-limit token, if the server is rate limited; returns whether it may go. */
  boolean takeToken() {
    TokenBucket bucket = rateLimit;
    return bucket == null || bucket.tryAcquire();
  }

  /** Returns the ticker reading {@code nanos} after {@code now}, never {@link #NOT_EJECTED}. */
  static long deadline(long now, long nanos) {
    long deadline = now + nanos;
    return deadline == NOT_EJECTED ? deadline + 1 : deadline;
  }

  /** Returns the ejection deadline, or {@link #NOT_EJECTED}; one volatile read. */
  long ejectedUntil() {
    return ejectedUntil;
  }

  /** Ejects the server until {@code deadline} (from {@link #deadline}); under the write lock. */
  void ejectUntil(long deadline) {
    ejectedUntil = deadline;
  }

  /** Ends any ejection; under the write lock. */
  void clearEjection() {
    ejectedUntil = NOT_EJECTED;
  }

  /** Returns whether the server is ejected at ticker reading {@code now}; no side effect. */
  boolean ejectedAt(long now) {
    long until = ejectedUntil;
    return until != NOT_EJECTED && until - now > 0; // by subtraction: right across overflow
  }

  /**
   * Returns whether the server is ejected now: one volatile read, and a read of {@code ticker} only
   * if an ejection is set. An ejection found past is reset, so later calls skip the clock.
   */
  boolean isEjected(Ticker ticker) {
    long until = ejectedUntil;
    if (until == NOT_EJECTED) {
      return false;
    }
    if (until - ticker.read() > 0) {
      return true;
    }
    // Fails, harmlessly, if the server was ejected again meanwhile: that deadline stays.
    boolean unused = EJECTED_UNTIL.compareAndSet(this, until, NOT_EJECTED);
    return false;
  }

  /** Records a closed lease. */
  void recordLease(long nanos, boolean failed) {
    completed.increment();
    if (failed) {
      errors.increment();
    }
    latency.record(nanos);
  }

  @Override
  public String toString() {
    return server.toString();
  }

  ServerStats stats(boolean ejected) {
    LatencyHistogram.Summary summary = latency.summary();
    return new ServerStats(
        server.id(),
        server.isHealthy(),
        draining,
        ejected,
        requests.sum(),
        server.activeConnections(),
        completed.sum(),
        errors.sum(),
        Duration.ofNanos(summary.p50()),
        Duration.ofNanos(summary.p99()),
        Duration.ofNanos(summary.max()));
  }
}
