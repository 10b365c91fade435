package dev.lbkit.health;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.LoadBalancerListener;
import dev.lbkit.core.RandomSources;
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
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Passive health checking with Envoy's three outlier detectors: consecutive failures, success rate
 * and failure percentage. Attached to a {@link LoadBalancer}, it hears the outcome of every lease
 * the balancer closes ({@link dev.lbkit.core.Lease#fail} marks a failure); callers that do not use
 * leases report outcomes with {@link #recordSuccess} and {@link #recordFailure}.
 *
 * <pre>{@code
 * OutlierDetector detector = OutlierDetector.builder()
 *     .consecutiveFailures(5)                     // the defaults, as in Envoy
 *     .interval(Duration.ofSeconds(10))
 *     .baseEjectionTime(Duration.ofSeconds(30))
 *     .maxEjectionTime(Duration.ofMinutes(5))
 *     .maxEjectionPercent(10)
 *     .successRateStdevFactor(1.9)                // Envoy's success_rate_stdev_factor 1900
 *     .enforcingFailurePercentage(100)            // 0 by default, as in Envoy: off
 *     .build();
 * detector.attach(lb);
 * detector.addListener(new OutlierListener() { ... });   // every ejection and return
 * }</pre>
 *
 * <h2>The detectors</h2>
 *
 * <ul>
 *   <li><b>Consecutive failures</b>: after {@code consecutiveFailures} failures in a row (a success
 *       resets the count), the server is ejected.
 *   <li><b>Success rate</b>: at the end of every {@code interval}, among the servers (not ejected)
 *       with at least {@code successRateRequestVolume} calls in it (100), if there are at least
 *       {@code successRateMinimumHosts} (5), each whose success rate is below {@code mean -
 *       successRateStdevFactor x stdev} (1.9, population standard deviation) is an outlier. Envoy's
 *       worked example: rates {50, 100, 100, 100, 100} give mean 90, stdev 20, threshold 52, so the
 *       first is ejected. Enforced with probability {@code enforcingSuccessRate} percent (100).
 *   <li><b>Failure percentage</b>: at the end of every interval, among the servers with at least
 *       {@code failurePercentageRequestVolume} calls (50), if there are at least {@code
 *       failurePercentageMinimumHosts} (5), each whose failures reach {@code
 *       failurePercentageThreshold} percent (85) is an outlier; enforced with probability {@code
 *       enforcingFailurePercentage} percent, 0 by default as in Envoy (the detector is off).
 * </ul>
 *
 * <h2>Ejections, for all three</h2>
 *
 * <ul>
 *   <li>A server is ejected through {@link LoadBalancer#eject(Server, Duration, int)}: it takes no
 *       new requests for {@code baseEjectionTime} times the number of its ejections not yet
 *       forgiven, this one included (1x, 2x, 3x, ...), at most {@code maxEjectionTime}; the count
 *       is one per server, whichever detector ejected it. Its health flag is not touched: active
 *       health checks and ejection are independent.
 *   <li>When the ejection ends the server is back <em>on probation</em>: its first outcome decides.
 *       A failure ejects it again at once, for the next longer time; a success ends probation, and
 *       the server again needs {@code consecutiveFailures} failures in a row to be ejected.
 *   <li>Forgiveness is gradual and by time, as in Envoy: the ejection count drops by one for every
 *       {@code interval} the server spends in rotation after its last ejection ended.
 *   <li>At most {@code maxEjectionPercent} of the balancer's servers that are not draining are
 *       ejected at once, across all detectors, rounded down, but always at least one (Envoy needs
 *       {@code always_eject_one_host} for that). The balancer checks the cap and ejects atomically,
 *       counting ejections made by anyone. A server the cap keeps in stays one failure short of the
 *       consecutive threshold: its next failure asks again.
 *   <li>Every ejection (with its {@link EjectionReason}) and every return is reported to the
 *       {@linkplain #addListener listeners}.
 * </ul>
 *
 * Outcomes of calls that started before an ejection and end during it are ignored.
 *
 * <h2>Time</h2>
 *
 * The balancer times each ejection with its own ticker. The detector reads a ticker for its
 * intervals and forgiveness: by default the balancer's, so tests drive both with one fake clock. No
 * thread is involved: an interval ends with the first outcome recorded after it (which then runs
 * the interval detectors over it, if it is the interval just before; a quiet interval has no
 * outliers), and an ejection ends when the balancer's clock passes its deadline; the detector
 * reports the return at the server's next outcome or the next interval's end.
 *
 * <h2>Threads and cost</h2>
 *
 * Thread-safe. Outcomes are reported on the caller's thread (a lease's, on close). With the
 * interval detectors off, a success on a server with nothing to remember costs one map lookup; with
 * them on, one more map lookup and a counter add. Other outcomes compute the next state by a pure
 * function and install it by compare-and-set, with no lock. The end of an interval costs O(n) on
 * the thread that ends it; an ejection, and each further failure of a server the cap keeps in,
 * costs an O(n) count under the balancer's membership lock (routing never takes it). Listeners run
 * after the state is installed, on the reporting thread.
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
  private final IntervalStats.Rules intervalRules;
  private final long intervalNanos;
  private final int enforcingSuccessRate;
  private final int enforcingFailurePercentage;
  private final RandomGenerator random;
  private final int maxEjectionPercent;
  private final @Nullable Ticker ticker;
  private final ConcurrentHashMap<Server, OutlierState> states = new ConcurrentHashMap<>();
  private final List<OutlierListener> listeners = new CopyOnWriteArrayList<>();
  private final Set<Object> warnedCallbacks = ConcurrentHashMap.newKeySet();
  private volatile @Nullable Attachment attachment;
  private volatile boolean closed;

  /**
   * The balancer this detector ejects from, the ticker it reads, its listener there, and the
   * interval counts (null when both interval detectors are off).
   */
  private static final class Attachment {
    final LoadBalancer balancer;
    final Ticker ticker;
    final LoadBalancerListener listener;
    final @Nullable IntervalStats stats;

    Attachment(
        LoadBalancer balancer,
        Ticker ticker,
        LoadBalancerListener listener,
        @Nullable IntervalStats stats) {
      this.balancer = balancer;
      this.ticker = ticker;
      this.listener = listener;
      this.stats = stats;
    }
  }

  private OutlierDetector(Builder builder) {
    this.rules =
        new OutlierState.Rules(
            builder.consecutiveFailures,
            builder.baseEjectionNanos,
            builder.maxEjectionNanos < 0
                ? Math.max(Builder.DEFAULT_MAX_EJECTION.toNanos(), builder.baseEjectionNanos)
                : builder.maxEjectionNanos,
            builder.intervalNanos);
    this.intervalRules =
        new IntervalStats.Rules(
            builder.successRateMinimumHosts,
            builder.successRateRequestVolume,
            builder.successRateStdevFactor,
            builder.failurePercentageThreshold,
            builder.failurePercentageMinimumHosts,
            builder.failurePercentageRequestVolume);
    this.intervalNanos = builder.intervalNanos;
    this.enforcingSuccessRate = builder.enforcingSuccessRate;
    this.enforcingFailurePercentage = builder.enforcingFailurePercentage;
    this.random = builder.random;
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
    Ticker clock = ticker != null ? ticker : balancer.ticker();
    IntervalStats stats =
        enforcingSuccessRate > 0 || enforcingFailurePercentage > 0
            ? new IntervalStats(intervalNanos, clock.read())
            : null;
    attachment = new Attachment(balancer, clock, listener, stats);
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
    Objects.requireNonNull(callback, "callback");
    addListener(
        new OutlierListener() {
          @Override
          public void onEjected(Server server, EjectionReason reason, Duration duration) {
            callback.accept(server, duration);
          }

          @Override
          public String toString() {
            return callback.toString();
          }
        });
  }

  /**
   * Tells {@code listener} of every ejection this detector makes, with its reason, and of every
   * return from one, on the thread that reported the outcome which led to it. A listener that
   * throws is logged and ignored; it never stops the detector or the listeners after it.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public void addListener(OutlierListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Returns the servers this detector ejected that are still out. Cost: O(n) for the n servers it
   * remembers.
   */
  public Set<Server> ejected() {
    Attachment at = attachment;
    Set<Server> out = new HashSet<>();
    if (at != null) {
      states.forEach(
          (server, state) -> {
            if (state.phase() == Phase.EJECTED && at.balancer.isEjected(server)) {
              out.add(server);
            }
          });
    }
    return Set.copyOf(out);
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
    IntervalStats stats = at.stats;
    if (stats != null) {
      long now = at.ticker.read();
      IntervalStats.Window closed = stats.record(server, failed, now);
      if (closed != null) {
        evaluate(at, closed, now);
      }
    }
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
        settle(at, server, current, next, EjectionReason.CONSECUTIVE_FAILURES, now);
        return;
      }
      old = states.get(server);
    }
  }

  /**
   * Runs at the end of an interval (on the one thread that ended it): reports the returns the
   * detector has not seen yet, then, if the interval that ended is the one just before now, runs
   * Envoy's interval detectors over it and ejects each outlier the enforcement roll lets through.
   */
  private void evaluate(Attachment at, IntervalStats.Window closed, long now) {
    for (Server server : List.copyOf(states.keySet())) {
      OutlierState state = states.get(server);
      if (state != null && state.phase() == Phase.EJECTED && !at.balancer.isEjected(server)) {
        OutlierState back = state.returned(now);
        if (swap(server, state, back)) {
          settle(at, server, state, back, EjectionReason.CONSECUTIVE_FAILURES, now);
        }
      }
    }
    IntervalStats stats = at.stats;
    if (stats == null || !stats.endedJustBefore(closed, now)) {
      return; // quiet intervals since: no outlier
    }
    for (IntervalStats.Verdict verdict :
        IntervalStats.outliers(
            closed, at.balancer.servers(), at.balancer::isEjected, intervalRules)) {
      int enforcing =
          verdict.reason() == EjectionReason.SUCCESS_RATE
              ? enforcingSuccessRate
              : enforcingFailurePercentage;
      if (enforcing > 0 && (enforcing >= 100 || random.nextInt(100) < enforcing)) {
        detected(at, verdict.server(), verdict.reason(), now);
      }
    }
  }

  /** An interval detector found {@code server} an outlier: eject it unless it is out already. */
  private void detected(Attachment at, Server server, EjectionReason reason, long now) {
    while (true) {
      OutlierState old = states.get(server);
      OutlierState current = old != null ? old : OutlierState.INITIAL;
      boolean stillEjected = current.phase() == Phase.EJECTED && at.balancer.isEjected(server);
      OutlierState next = current.detected(now, stillEjected, rules);
      if (next.equals(current)) {
        return;
      }
      if (swap(server, old, next)) {
        settle(at, server, current, next, reason, now);
        return;
      }
    }
  }

  /** After a swap from {@code from} to {@code to}: reports a return, and ejects if it is time. */
  private void settle(
      Attachment at,
      Server server,
      OutlierState from,
      OutlierState to,
      EjectionReason reason,
      long now) {
    if (from.phase() == Phase.EJECTED && to.phase() != Phase.EJECTED) {
      for (OutlierListener listener : listeners) {
        try {
          listener.onReturned(server);
        } catch (RuntimeException e) {
          callbackFailed(listener, e);
        }
      }
    }
    if (to.phase() == Phase.EJECTING) {
      eject(at, server, to, reason, now);
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
  private void eject(
      Attachment at, Server server, OutlierState ejecting, EjectionReason reason, long now) {
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
                  + ", "
                  + reason
                  + ")");
      for (OutlierListener listener : listeners) {
        try {
          listener.onEjected(server, reason, duration);
        } catch (RuntimeException e) {
          callbackFailed(listener, e);
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
    private long intervalNanos = Duration.ofSeconds(10).toNanos();
    private int successRateMinimumHosts = 5;
    private int successRateRequestVolume = 100;
    private double successRateStdevFactor = 1.9;
    private int enforcingSuccessRate = 100;
    private int failurePercentageThreshold = 85;
    private int failurePercentageMinimumHosts = 5;
    private int failurePercentageRequestVolume = 50;
    private int enforcingFailurePercentage = 0;
    private RandomGenerator random = RandomSources.threadLocal();

    private Builder() {}

    /**
     * Sets the interval over which the success rate and failure percentage detectors count calls,
     * and in which one ejection is forgiven to a server that stays in rotation; 10 s by default.
     *
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public Builder interval(Duration interval) {
      this.intervalNanos = positiveNanos(interval, "interval");
      return this;
    }

    /**
     * Sets how many servers need {@code successRateRequestVolume} calls in an interval for the
     * success rate detector to judge any of them; 5 by default.
     *
     * @throws IllegalArgumentException if {@code hosts} is below 1
     */
    public Builder successRateMinimumHosts(int hosts) {
      this.successRateMinimumHosts = atLeast(hosts, 1, "successRateMinimumHosts");
      return this;
    }

    /**
     * Sets how many calls in an interval a server needs for the success rate detector to judge it;
     * 100 by default.
     *
     * @throws IllegalArgumentException if {@code calls} is below 1
     */
    public Builder successRateRequestVolume(int calls) {
      this.successRateRequestVolume = atLeast(calls, 1, "successRateRequestVolume");
      return this;
    }

    /**
     * Sets the factor of the success rate detector: a server whose success rate is below the mean
     * less this many standard deviations is an outlier; 1.9 by default (Envoy's {@code
     * success_rate_stdev_factor} of 1900, in thousandths).
     *
     * @throws IllegalArgumentException if {@code factor} is negative or not finite
     */
    public Builder successRateStdevFactor(double factor) {
      if (!(factor >= 0 && factor < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "successRateStdevFactor: " + factor + " (expected: >= 0 and finite)");
      }
      this.successRateStdevFactor = factor;
      return this;
    }

    /**
     * Sets the chance, in percent, that an outlier the success rate detector finds is ejected; 100
     * by default, 0 turns the detector off.
     *
     * @throws IllegalArgumentException if {@code percent} is not in {@code 0..100}
     */
    public Builder enforcingSuccessRate(int percent) {
      this.enforcingSuccessRate = percent(percent, "enforcingSuccessRate");
      return this;
    }

    /**
     * Sets the failure percentage in an interval at or above which a server is an outlier; 85 by
     * default.
     *
     * @throws IllegalArgumentException if {@code percent} is not in {@code 0..100}
     */
    public Builder failurePercentageThreshold(int percent) {
      this.failurePercentageThreshold = percent(percent, "failurePercentageThreshold");
      return this;
    }

    /**
     * Sets how many servers need {@code failurePercentageRequestVolume} calls in an interval for
     * the failure percentage detector to judge any of them; 5 by default.
     *
     * @throws IllegalArgumentException if {@code hosts} is below 1
     */
    public Builder failurePercentageMinimumHosts(int hosts) {
      this.failurePercentageMinimumHosts = atLeast(hosts, 1, "failurePercentageMinimumHosts");
      return this;
    }

    /**
     * Sets how many calls in an interval a server needs for the failure percentage detector to
     * judge it; 50 by default.
     *
     * @throws IllegalArgumentException if {@code calls} is below 1
     */
    public Builder failurePercentageRequestVolume(int calls) {
      this.failurePercentageRequestVolume = atLeast(calls, 1, "failurePercentageRequestVolume");
      return this;
    }

    /**
     * Sets the chance, in percent, that an outlier the failure percentage detector finds is
     * ejected; 0 by default (the detector is off, as in Envoy), 100 always ejects.
     *
     * @throws IllegalArgumentException if {@code percent} is not in {@code 0..100}
     */
    public Builder enforcingFailurePercentage(int percent) {
      this.enforcingFailurePercentage = percent(percent, "enforcingFailurePercentage");
      return this;
    }

    /**
     * Sets the random source of the enforcement rolls; {@link RandomSources#threadLocal()} by
     * default.
     *
     * @throws NullPointerException if {@code random} is null
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    private static int atLeast(int value, int min, String name) {
      if (value < min) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
      }
      return value;
    }

    private static int percent(int value, String name) {
      if (value < 0 || value > 100) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: 0..100)");
      }
      return value;
    }

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
