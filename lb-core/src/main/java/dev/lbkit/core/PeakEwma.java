package dev.lbkit.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Peak EWMA, the latency-aware picker of Finagle and Linkerd: of two distinct random healthy
 * servers, the one with the lower cost {@code latency estimate × (active connections + 1)}. The
 * estimate of a server follows the latencies {@linkplain #observe observed} on it: it jumps at once
 * to a latency higher than itself (the peak), blends toward a lower one, and between observations
 * decays toward zero with time constant {@code decay}, so a server that was slow and has not been
 * tried since looks better and better until it is tried again. A server never observed counts as
 * free while it has no connection, and as worse than any observed server while it has one (one
 * probe at a time), as in Finagle.
 *
 * <p>Callers count calls with {@link #connect} and {@link #disconnect} (or through any {@link
 * LoadBalancer} lease on the same {@link Server}: the count lives on the server) and report each
 * call's latency with {@link #observe}:
 *
 * <pre>{@code
 * PeakEwma picker = new PeakEwma(servers, Ticker.system(), RandomSources.threadLocal(),
 *     PeakEwma.DEFAULT_DECAY);
 * Server s = picker.next();
 * picker.connect(s);
 * long start = System.nanoTime();
 * try {
 *   call(s);
 * } finally {
 *   picker.disconnect(s);
 *   picker.observe(s, System.nanoTime() - start);
 * }
 * }</pre>
 *
 * <p>Thread-safe and lock-free. {@link #next()}: O(1), two random draws, one ticker read, two
 * volatile reads of estimates and two of connection counts, no allocation. {@link #observe}: one
 * map look-up and a compare-and-set of a new immutable estimate (one small allocation). Membership
 * changes: O(n).
 */
public final class PeakEwma extends PolicyPicker {

  private final PeakEwmaPolicy estimates;
  private final Object replacing = new Object();

  /*
   * The estimate. A server's state is one immutable Estimate (value in nanoseconds, ticker reading
   * of the last observation) in a volatile field of its Cell, replaced by compare-and-set with the
   * result of a pure function of (old estimate, sample, now). Read at time t, an estimate made at
   * s is value * e^-(t-s)/tau: it decays toward zero. An observation r at t, with w = e^-(t-s)/tau
   * and d = value * w the estimate read at t, installs r if r > d (the peak), else d * w + r * (1 -
   * w): a convex blend, so a low sample never moves the estimate past itself, and a server seen
   * rarely (large t - s) takes a low sample almost whole.
   *
   * Finagle's PeakEwma and Tower's (behind Linkerd) decay the same way but write the decay on
   * every read, under a lock, so in them the blend weight of a low sample is 1 - e^-(t-u)/tau with
   * u the last read or observation: it depends on how often the balancer is read. Here a pick only
   * reads (exponential decay composes, so reading without writing gives the same value), picks
   * never contend on a lock or a write, and the blend depends on observations alone. When a server
   * is observed often the two agree: w is near 1 and a low sample barely moves the estimate.
   *
   * Cost: value * (active + 1), active being Server.activeConnections(), the one count every
   * balancer on the server shares. A server whose estimate is 0 (never observed) but which has a
   * call in flight costs PENALTY + active, Finagle's penalty: a new server gets one probe, not a
   * flood, until its first latency is known.
   */

  /** The decay time constant Finagle and Linkerd use by default: 10 seconds. */
  public static final Duration DEFAULT_DECAY = Duration.ofSeconds(10);

  /** One immutable state of a server's estimate. */
  static final class Estimate {
    static final Estimate NONE = new Estimate(0.0, 0L);

    final double nanos; // the estimate right after the last observation
    final long stamp; // the ticker reading of that observation

    Estimate(double nanos, long stamp) {
      this.nanos = nanos;
      this.stamp = stamp;
    }

    /** The estimate read at {@code now}: decayed toward zero since the last observation. */
    double at(long now, double tau) {
      return nanos * weight(now, tau);
    }

    /** The estimate after observing {@code sample} at {@code now}. */
    Estimate observe(long sample, long now, double tau) {
      double w = weight(now, tau);
      double decayed = nanos * w;
      double next = sample > decayed ? sample : decayed * w + sample * (1.0 - w);
      return new Estimate(next, now);
    }

    /** e^-(now - stamp)/tau; 1 if the ticker reads earlier than the stamp (a racing observer). */
    private double weight(long now, double tau) {
      long elapsed = now - stamp; // by subtraction: right across ticker overflow
      return elapsed <= 0 ? 1.0 : Math.exp(-elapsed / tau);
    }
  }

  /** A server's estimate, shared by every snapshot that holds the server. */
  static final class Cell {
    private static final VarHandle ESTIMATE;

    static {
      try {
        ESTIMATE = MethodHandles.lookup().findVarHandle(Cell.class, "estimate", Estimate.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @SuppressWarnings("FieldMayBeFinal") // written through ESTIMATE
    private volatile Estimate estimate = Estimate.NONE;

    Estimate get() {
      return estimate;
    }

    boolean compareAndSet(Estimate expected, Estimate next) {
      return ESTIMATE.compareAndSet(this, expected, next);
    }
  }

  /**
   * Creates a peak-EWMA picker over {@code servers} on the system ticker, drawing from {@link
   * RandomSources#threadLocal()}, with a decay time of {@link #DEFAULT_DECAY}.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public PeakEwma(List<Server> servers) {
    this(servers, Ticker.system(), RandomSources.threadLocal(), DEFAULT_DECAY);
  }

  /**
   * Creates a peak-EWMA picker over {@code servers}.
   *
   * @param ticker times the decay of the estimates; the one that measures the latencies passed to
   *     {@link #observe}
   * @param random draws the two servers compared; must be thread-safe if the picker is shared by
   *     threads (see {@link RandomSources})
   * @param decay the time constant of the estimates' decay: after {@code decay} without an
   *     observation, an estimate has fallen to 1/e (37%) of its value
   * @throws NullPointerException if an argument or an element of {@code servers} is null
   * @throws IllegalArgumentException if two servers have the same id, or {@code decay} is not
   *     positive
   */
  public PeakEwma(List<Server> servers, Ticker ticker, RandomGenerator random, Duration decay) {
    this(servers, new PeakEwmaPolicy(ticker, random, decay));
  }

  private PeakEwma(List<Server> servers, PeakEwmaPolicy estimates) {
    super(servers, estimates);
    this.estimates = estimates;
  }

  /** Returns {@code decay} if it is positive; the facade's builder checks with it too. */
  static Duration checkDecay(Duration decay) {
    Objects.requireNonNull(decay, "decay");
    if (decay.isNegative() || decay.isZero()) {
      throw new IllegalArgumentException("decay: " + decay + " (expected: > 0)");
    }
    return decay;
  }

  /**
   * Returns the cheaper of two distinct random healthy servers (the first drawn on a tie), the only
   * healthy server if there is one, or null when none is healthy.
   */
  @Override
  public @Nullable Server next() {
    return super.next();
  }

  /**
   * Reports that a call on {@code server} took {@code latencyNanos}, as measured by this picker's
   * ticker. A server that is not (or no longer) one of this picker's servers is ignored.
   *
   * @throws NullPointerException if {@code server} is null
   * @throws IllegalArgumentException if {@code latencyNanos} is negative
   */
  public void observe(Server server, long latencyNanos) {
    estimates.record(server, latencyNanos, false);
  }

  /**
   * Reports that a call on {@code server} failed after {@code latencyNanos}. A failure counts as at
   * least the server's estimate now: a slow failure raises the estimate like a slow answer, a fast
   * one leaves it as it is, so a server that fails fast does not look fast and draw traffic.
   *
   * @throws NullPointerException if {@code server} is null
   * @throws IllegalArgumentException if {@code latencyNanos} is negative
   */
  public void observeFailure(Server server, long latencyNanos) {
    estimates.record(server, latencyNanos, true);
  }

  /**
   * Returns {@code server}'s latency estimate now, in nanoseconds: 0 if it was never observed or is
   * not one of this picker's servers.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public double estimateNanos(Server server) {
    return estimates.estimateNanos(server);
  }

  /**
   * Counts one more active connection on {@code server}.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public void connect(Server server) {
    Objects.requireNonNull(server, "server").connectionOpened();
  }

  /**
   * Counts one connection fewer on {@code server}; the count never goes below zero.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public void disconnect(Server server) {
    Objects.requireNonNull(server, "server").connectionClosed();
  }

  /**
   * Replaces the servers, as {@link ServerPicker#setServers} says; servers kept across the change
   * keep their estimates, servers removed lose theirs.
   */
  @Override
  public void setServers(List<Server> servers) {
    synchronized (replacing) { // no other replacement between installing and dropping
      super.setServers(servers);
      estimates.retain(servers());
    }
  }
}
