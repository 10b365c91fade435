package dev.lbkit.health;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.LoadBalancerListener;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import dev.lbkit.health.OutlierState.Phase;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Passive health checking: ejects a server whose calls keep failing, as Envoy's outlier detection
 * does for consecutive errors. Attached to a {@link LoadBalancer}, it hears the outcome of every
 * lease the balancer closes ({@link dev.lbkit.core.Lease#fail} marks a failure); callers that do
 * not use leases report outcomes with {@link #recordSuccess} and {@link #recordFailure}.
 *
 * <pre>{@code
 * OutlierDetector detector = OutlierDetector.builder()
 *     .consecutiveFailures(5)                     // the defaults, as in Envoy
 *     .baseEjectionTime(Duration.ofSeconds(30))
 *     .maxEjectionTime(Duration.ofMinutes(5))
 *     .maxEjectionPercent(10)
 *     .build();
 * detector.attach(lb);
 * }</pre>
 *
 * <h2>Behaviour</h2>
 *
 * <ul>
 *   <li>After {@code consecutiveFailures} failures in a row (a success resets the count), the
 *       server is ejected through {@link LoadBalancer#eject(Server, Duration, int)}: it takes no
 *       new requests for {@code baseEjectionTime} times the number of its ejections not yet
 *       forgiven, this one included (1x, 2x, 3x, ...), at most {@code maxEjectionTime}. Its health
 *       flag is not touched: active health checks and ejection are independent.
 *   <li>When the ejection ends the server is back <em>on probation</em>: its first outcome decides.
 *       A failure ejects it again at once, for the next longer time; a success ends probation, and
 *       the server again needs {@code consecutiveFailures} failures in a row to be ejected.
 *   <li>Forgiveness is gradual and by time: the ejection count drops by one for every {@code
 *       baseEjectionTime} the server spends in rotation after its last ejection ended. A server
 *       that stays in as long as it was last out is back to ejections of {@code baseEjectionTime}.
 *       (Envoy likewise decrements its multiplier once per interval of good behaviour.)
 *   <li>At most {@code maxEjectionPercent} of the balancer's servers that are not draining are
 *       ejected at once, rounded down, but always at least one (Envoy ejects one host whatever the
 *       percent; unlike Envoy, which checks the share before adding the host and so may go one
 *       over, the cap here is never exceeded). The balancer checks the cap and ejects atomically,
 *       counting ejections made by anyone. A server refused for the cap stays one failure short of
 *       the threshold: its next failure asks again.
 * </ul>
 *
 * Outcomes of calls that started before an ejection and end during it are ignored.
 *
 * <h2>Time</h2>
 *
 * The balancer times each ejection with its own ticker. The detector reads a ticker for forgiveness
 * only: by default the balancer's, so tests drive both with one fake clock. No thread is involved:
 * an ejection ends when the balancer's clock passes its deadline, and the detector notices at the
 * server's next outcome.
 *
 * <h2>Threads and cost</h2>
 *
 * Thread-safe. Outcomes are reported on the caller's thread (a lease's, on close). A success on a
 * server with nothing to remember costs one map lookup; other outcomes compute the next state by a
 * pure function and install it by compare-and-set, with no lock. An ejection, and each further
 * failure of a server the cap keeps in, costs an O(n) count under the balancer's membership lock
 * (routing never takes it). Callbacks run after the state is installed, on the reporting thread.
 */
public final class OutlierDetector implements AutoCloseable {

  /*
   * Design. Each server's state is a small immutable OutlierState in a ConcurrentHashMap; a server
   * with nothing to remember has no entry, so the map holds only servers that failed lately or
   * have ejections to be forgiven. An outcome reads the entry, computes the next state (a pure
   * function of state, outcome, time and whether the balancer still ejects the server, that last
   * read before the function), and installs it with putIfAbsent / replace / remove against the
   * value it read, retrying on a lost race. Exactly one thread's swap moves a server into
   * EJECTING; that thread alone calls lb.eject() and then installs EJECTED (or, if refused, the
   * state back in rotation) against the EJECTING value, which nothing else replaces because
   * outcomes leave EJECTING unchanged. Callbacks run after that, never inside a retried function.
   *
   * The cap on ejections lives in the balancer, not here: only the balancer can count and eject
   * in one atomic step, across every detector and operator that ejects.
   */

  private static final System.Logger LOG = System.getLogger(OutlierDetector.class.getName());

  private final OutlierState.Rules rules;
  private final int maxEjectionPercent;
  private final @Nullable Ticker ticker;
  private final ConcurrentHashMap<Server, OutlierState> states = new ConcurrentHashMap<>();
  private final List<BiConsumer<Server, Duration>> ejectionCallbacks = new CopyOnWriteArrayList<>();
  private final Set<Object> warnedCallbacks = ConcurrentHashMap.newKeySet();
  private volatile @Nullable Attachment attachment;
  private volatile boolean closed;

  /** The balancer this detector ejects from, the ticker it reads, and its listener there. */
  private static final class Attachment {
    final LoadBalancer balancer;
    final Ticker ticker;
    final LoadBalancerListener listener;

    Attachment(LoadBalancer balancer, Ticker ticker, LoadBalancerListener listener) {
      this.balancer = balancer;
      this.ticker = ticker;
      this.listener = listener;
    }
  }

  private OutlierDetector(Builder builder) {
    this.rules =
        new OutlierState.Rules(
            builder.consecutiveFailures,
            builder.baseEjectionNanos,
            builder.maxEjectionNanos < 0
                ? Math.max(Builder.DEFAULT_MAX_EJECTION.toNanos(), builder.baseEjectionNanos)
                : builder.maxEjectionNanos);
    this.maxEjectionPercent = builder.maxEjectionPercent;
    this.ticker = builder.ticker;
  }

  /** Returns a builder with Envoy's defaults: 5 failures, 30 s, at most 300 s, 10%. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts hearing the outcomes of {@code balancer}'s leases and ejecting its servers. A detector
   * serves one balancer, for good.
   *
   * @throws NullPointerException if {@code balancer} is null
   * @throws IllegalStateException if this detector is attached already, or closed
   */
  public synchronized void attach(LoadBalancer balancer) {
    Objects.requireNonNull(balancer, "balancer");
    if (closed) {
      throw new IllegalStateException("closed");
    }
    Attachment current = attachment;
    if (current != null) {
      throw new IllegalStateException("already attached to " + current.balancer);
    }
    LoadBalancerListener listener =
        new LoadBalancerListener() {
          @Override
          public void onLeaseClosed(
              Request request, Server server, long latencyNanos, @Nullable Throwable failure) {
            Attachment at = attachment;
            if (at != null && !closed) {
              record(at, server, failure != null);
            }
          }

          @Override
          public String toString() {
            return "OutlierDetector's listener";
          }
        };
    attachment = new Attachment(balancer, ticker != null ? ticker : balancer.ticker(), listener);
    balancer.addListener(listener);
  }

  /**
   * Records a successful call to {@code server}, for callers that do not use leases.
   *
   * @throws NullPointerException if {@code server} is null
   * @throws IllegalStateException if the detector is not attached, or closed
   */
  public void recordSuccess(Server server) {
    record(attached(), Objects.requireNonNull(server, "server"), false);
  }

  /**
   * Records a failed call to {@code server}, for callers that do not use leases; it may eject the
   * server.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if the detector is not attached, or closed
   */
  public void recordFailure(Server server, Throwable cause) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(cause, "cause");
    record(attached(), server, true);
  }

  /**
   * Calls {@code callback} with the server and the duration each time this detector ejects a
   * server, on the thread that reported the failure. A callback that throws is logged and ignored;
   * it never stops the detector or the callbacks after it.
   *
   * @throws NullPointerException if {@code callback} is null
   */
  public void onEjected(BiConsumer<Server, Duration> callback) {
    ejectionCallbacks.add(Objects.requireNonNull(callback, "callback"));
  }

  /**
   * Stops hearing the balancer and forgets every server. Ejections already made run their course.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    closed = true;
    Attachment at = attachment;
    if (at != null) {
      at.balancer.removeListener(at.listener);
    }
    states.clear();
  }

  private Attachment attached() {
    Attachment at = attachment;
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (at == null) {
      throw new IllegalStateException("not attached (expected: attach(LoadBalancer) first)");
    }
    return at;
  }

  private void record(Attachment at, Server server, boolean failed) {
    OutlierState old = states.get(server);
    if (old == null && !failed) {
      return; // nothing remembered, nothing to remember
    }
    while (true) {
      OutlierState current = old != null ? old : OutlierState.INITIAL;
      boolean stillEjected = current.phase() == Phase.EJECTED && at.balancer.isEjected(server);
      long now = at.ticker.read();
      OutlierState next = current.after(failed, stillEjected, now, rules);
      if (next.equals(current)) {
        return;
      }
      if (swap(server, old, next)) {
        if (next.phase() == Phase.EJECTING) {
          eject(at, server, next, now);
        }
        return;
      }
      old = states.get(server);
    }
  }

  /** Installs {@code next} if the entry is still {@code old}; no entry stands for INITIAL. */
  private boolean swap(Server server, @Nullable OutlierState old, OutlierState next) {
    boolean forget = next.equals(OutlierState.INITIAL);
    if (old == null) {
      return forget || states.putIfAbsent(server, next) == null;
    }
    return forget ? states.remove(server, old) : states.replace(server, old, next);
  }

  /** Asks the balancer to eject {@code server}; called by the one thread that moved it there. */
  private void eject(Attachment at, Server server, OutlierState ejecting, long now) {
    long nanos = ejecting.ejectionNanos(rules);
    Duration duration = Duration.ofNanos(nanos);
    boolean ejected = false;
    try {
      ejected = at.balancer.eject(server, duration, maxEjectionPercent);
    } finally {
      // Leave EJECTING whatever happened, or the server's outcomes would be ignored for good.
      OutlierState after = ejected ? ejecting.ejected(now + nanos) : ejecting.refused(now, rules);
      boolean unused = swap(server, ejecting, after);
    }
    if (ejected) {
      forgetFormerMembers(at);
      LOG.log(
          Level.DEBUG,
          () ->
              "ejected "
                  + server
                  + " for "
                  + duration
                  + " (ejection "
                  + ejecting.ejections()
                  + ")");
      for (BiConsumer<Server, Duration> callback : ejectionCallbacks) {
        try {
          callback.accept(server, duration);
        } catch (RuntimeException e) {
          callbackFailed(callback, e);
        }
      }
    }
  }

  /** Drops the state of servers the balancer no longer holds; O(n), on each ejection. */
  private void forgetFormerMembers(Attachment at) {
    Set<Server> members = new HashSet<>(at.balancer.servers());
    states.keySet().removeIf(s -> !members.contains(s));
  }

  private void callbackFailed(Object callback, RuntimeException e) {
    if (warnedCallbacks.add(callback)) {
      LOG.log(Level.WARNING, "callback " + callback + " threw on an ejection; ignored", e);
    } else {
      LOG.log(Level.DEBUG, () -> "callback " + callback + " threw on an ejection again: " + e);
    }
  }

  @Override
  public String toString() {
    Attachment at = attachment;
    return "OutlierDetector{"
        + rules.consecutiveFailures()
        + " failures, "
        + Duration.ofNanos(rules.baseNanos())
        + ".."
        + Duration.ofNanos(rules.maxNanos())
        + ", "
        + maxEjectionPercent
        + "%"
        + (closed ? ", closed" : at != null ? ", attached" : "")
        + "}";
  }

  /**
   * Builds an {@link OutlierDetector}. Not thread-safe; every setter validates its argument at once
   * and returns this builder.
   */
  public static final class Builder {
    static final Duration DEFAULT_MAX_EJECTION = Duration.ofMinutes(5);

    private int consecutiveFailures = 5;
    private long baseEjectionNanos = Duration.ofSeconds(30).toNanos();
    private long maxEjectionNanos = -1; // unset: 300 s, or the base if that is longer
    private int maxEjectionPercent = 10;
    private @Nullable Ticker ticker;

    private Builder() {}

    /**
     * Sets how many failures in a row eject a server; 5 by default.
     *
     * @throws IllegalArgumentException if {@code consecutiveFailures} is below 1
     */
    public Builder consecutiveFailures(int consecutiveFailures) {
      if (consecutiveFailures < 1) {
        throw new IllegalArgumentException(
            "consecutiveFailures: " + consecutiveFailures + " (expected: >= 1)");
      }
      this.consecutiveFailures = consecutiveFailures;
      return this;
    }

    /**
     * Sets the length of a first ejection, and the step by which later ones grow and by which they
     * are forgiven; 30 seconds by default.
     *
     * @throws NullPointerException if {@code baseEjectionTime} is null
     * @throws IllegalArgumentException if {@code baseEjectionTime} is not positive
     */
    public Builder baseEjectionTime(Duration baseEjectionTime) {
      this.baseEjectionNanos = positiveNanos(baseEjectionTime, "baseEjectionTime");
      return this;
    }

    /**
     * Sets the longest ejection; by default 300 seconds, or the base ejection time if that is
     * longer. A value set here must not be below the base ejection time (checked by {@link
     * #build}).
     *
     * @throws NullPointerException if {@code maxEjectionTime} is null
     * @throws IllegalArgumentException if {@code maxEjectionTime} is not positive
     */
    public Builder maxEjectionTime(Duration maxEjectionTime) {
      this.maxEjectionNanos = positiveNanos(maxEjectionTime, "maxEjectionTime");
      return this;
    }

    /**
     * Sets the most servers ejected at once, in percent of the balancer's servers that are not
     * draining, rounded down; at least one server may always be ejected. 10 by default.
     *
     * @throws IllegalArgumentException if {@code maxEjectionPercent} is not in {@code 1..100}
     */
    public Builder maxEjectionPercent(int maxEjectionPercent) {
      if (maxEjectionPercent < 1 || maxEjectionPercent > 100) {
        throw new IllegalArgumentException(
            "maxEjectionPercent: " + maxEjectionPercent + " (expected: 1..100)");
      }
      this.maxEjectionPercent = maxEjectionPercent;
      return this;
    }

    /**
     * Sets the ticker that times forgiveness; by default the attached balancer's, which times the
     * ejections themselves.
     *
     * @throws NullPointerException if {@code ticker} is null
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Returns the detector.
     *
     * @throws IllegalArgumentException if a maximum ejection time was set below the base one
     */
    public OutlierDetector build() {
      if (maxEjectionNanos >= 0 && maxEjectionNanos < baseEjectionNanos) {
        throw new IllegalArgumentException(
            "maxEjectionTime: "
                + Duration.ofNanos(maxEjectionNanos)
                + " (expected: >= baseEjectionTime "
                + Duration.ofNanos(baseEjectionNanos)
                + ")");
      }
      return new OutlierDetector(this);
    }

    /** Returns {@code d} in nanoseconds, at most {@code Long.MAX_VALUE / 4} (73 years). */
    private static long positiveNanos(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      long cap = Long.MAX_VALUE / 4; // a deadline of now + twice this still compares right
      return d.compareTo(Duration.ofNanos(cap)) > 0 ? cap : d.toNanos();
    }
  }
}
