package dev.lbkit.health;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Probes servers periodically and turns the results into health with a threshold state machine: a
 * server goes unhealthy after {@code unhealthyThreshold} consecutive failed probes and healthy
 * again after {@code healthyThreshold} consecutive passed ones (defaults 3 and 2), so one failure
 * among passes does not flap it. Health is written with {@link Server#setHealthy}, which every
 * balancer holding the server reads on its next pick.
 *
 * <pre>{@code
 * try (HealthChecker checker = HealthChecker.builder()
 *     .interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(2))
 *     .probe(Probe.http("/health"))
 *     .build()) {
 *   checker.onUnhealthy(server -> log.warn("{} is down", server));
 *   checker.watch(loadBalancer);    // follows addServer / removeServer
 *   checker.start();
 *   ...
 * }
 * }</pre>
 *
 * <h2>Scheduling and time</h2>
 *
 * After {@link #start()}, each watched server is probed every {@code interval}, give or take a
 * random jitter ({@code jitter} x interval, 10% by default) so that many checkers do not probe in
 * lockstep; the first probe comes within the first jitter window. Rounds run on the {@link
 * Builder#scheduler scheduler} (the checker's own timer thread by default, a fake one in tests).
 * Every probe has a deadline of {@code timeout} that always runs in real time on the checker's own
 * timer, whatever the scheduler, because the probe's I/O runs in real time: a jump of fake time
 * never fails a healthy server whose answer is still on the wire. Latencies are read on the {@link
 * Builder#ticker ticker}. A probe past its deadline counts as failed and is interrupted.
 *
 * <p>A server is never probed twice at once: a round, or a {@link #check}, that finds a probe of
 * the same server in flight joins it, and one whose thread still runs past its deadline counts as
 * one more failure. A round always schedules the next one: a probe the executor refuses counts as
 * failed (and is logged), and the server is probed again next round. Watched balancers and
 * collections are re-read every interval, so servers added to them are probed from the next round
 * on and removed ones are dropped.
 *
 * <h2>Callbacks</h2>
 *
 * {@link #onHealthy}, {@link #onUnhealthy}, {@link #onTransition} and {@link #onProbe} listeners
 * are called after the new state is installed and written to the server, never on a probing or
 * scheduling thread: on the callback executor (the checker's own threads by default), one server's
 * events in the order they happened, different servers' in parallel. Health listeners are called
 * once per transition. Whatever a listener throws, {@code Error}s included, is logged; the other
 * listeners still run and the checker keeps checking.
 *
 * <h2>Threads</h2>
 *
 * The checker owns a timer thread, probe threads, callback threads and, for {@link Probe#http}
 * probes, one shared HTTP client per {@code SSLContext}, all on daemon threads named {@code
 * lbkit-health-...} in one thread group (the client's selector thread too). {@link #start()} and
 * {@link #stop()} are idempotent; {@link #stop()} (and {@link #close()}) cancels every round, waits
 * at most one timeout for probes in flight and interrupts those that overran, lets queued callbacks
 * run, and returns once every thread of its own, the HTTP client's included, has ended (waiting up
 * to 2 s on the ticker for a thread that ignores its interrupt, which is then logged). A stopped
 * checker can be started again; {@link #check} on a stopped checker starts the threads it needs,
 * which the next {@code stop()} ends. Thread-safe.
 */
public final class HealthChecker implements AutoCloseable {

  /** The longest interval or timeout: ten years, far inside what nanoseconds can count. */
  static final Duration MAX_DURATION = Duration.ofDays(3650);

  private final Duration interval;
  private final Duration timeout;
  private final Thresholds thresholds;
  private final Probe probe;
  private final @Nullable Scheduler givenScheduler;
  private final Watchlist watchlist = new Watchlist();
  private final Callbacks callbacks;
  private final CheckerThreads threads;
  private final Rounds rounds;
  private final Object lifecycle = new Object();

  private HealthChecker(Builder builder) {
    this.interval = builder.interval;
    this.timeout = builder.timeout;
    this.thresholds = new Thresholds(builder.healthyThreshold, builder.unhealthyThreshold);
    this.probe = builder.probe;
    this.givenScheduler = builder.scheduler;
    this.threads = new CheckerThreads(builder.ticker);
    threads.open();
    Executor givenCallbackExecutor = builder.callbackExecutor;
    this.callbacks =
        new Callbacks(
            givenCallbackExecutor != null ? () -> givenCallbackExecutor : threads::callbacks);
    this.rounds =
        new Rounds(
            probe,
            interval,
            timeout,
            thresholds,
            builder.jitter,
            builder.random,
            builder.ticker,
            builder.probeExecutor,
            threads,
            callbacks,
            watchlist);
  }

  /** Returns a builder with the defaults: every 5 s, 2 s timeout, thresholds 2 and 3, TCP probe. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Probes {@code server} once now (or joins the probe of it in flight), feeds the result to its
   * state machine (queueing callbacks on a transition) and returns whether the probe passed. Waits
   * at most about the timeout. The server need not be watched.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public boolean check(Server server) {
    Objects.requireNonNull(server, "server");
    threads.open();
    return rounds.check(server);
  }

  /**
   * Checks {@code lb}'s servers from now on, following its {@code addServer} and {@code
   * removeServer} (re-read every interval).
   *
   * @throws NullPointerException if {@code lb} is null
   */
  public void watch(LoadBalancer lb) {
    Objects.requireNonNull(lb, "lb");
    watchlist.add(lb::servers);
    rounds.sync();
  }

  /**
   * Checks the servers in {@code servers} from now on. The collection is re-read every interval, so
   * a concurrent collection that changes is followed.
   *
   * @throws NullPointerException if {@code servers} is null
   */
  public void watch(Collection<Server> servers) {
    Objects.requireNonNull(servers, "servers");
    watchlist.add(() -> servers);
    rounds.sync();
  }

  /** Returns the servers being checked now. */
  public Set<Server> watched() {
    return watchlist.watched();
  }

  /**
   * Returns the state machine's view of {@code server}: healthy or not and the contrary streak; the
   * server's own flag if it was never probed.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public HealthState state(Server server) {
    Target target = watchlist.find(Objects.requireNonNull(server, "server"));
    return target != null
        ? target.state()
        : (server.isHealthy() ? HealthState.HEALTHY : HealthState.UNHEALTHY);
  }

  /** Starts checking the watched servers; does nothing if already started. */
  public void start() {
    Scheduler scheduler;
    synchronized (lifecycle) {
      if (rounds.isRunning()) {
        return;
      }
      threads.open();
      scheduler = givenScheduler != null ? givenScheduler : this::onOwnTimer;
      rounds.start(scheduler);
    }
    rounds.firstSync(); // outside the lock: it calls the scheduler, which may be the user's
  }

  /** Schedules on the checker's own timer thread. */
  private Scheduler.Cancellable onOwnTimer(Runnable task, long delayNanos) {
    ScheduledFuture<?> f = threads.timer().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  /**
   * Stops checking: cancels every round, waits at most one timeout for probes in flight, then
   * interrupts those still running, lets queued callbacks run, and waits (up to 2 s more) until
   * every thread of the checker's own has ended. Health states are kept, and {@link #start()}
   * resumes.
   */
  public void stop() {
    synchronized (lifecycle) {
      rounds.stop();
    }
    threads.shutdown(timeout.toNanos());
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** Returns whether the checker has been started and not stopped. */
  public boolean isRunning() {
    return rounds.isRunning();
  }

  /**
   * Calls {@code callback} with each server that turns healthy.
   *
   * @throws NullPointerException if {@code callback} is null
   */
  public void onHealthy(Consumer<Server> callback) {
    callbacks.onHealthy(callback);
  }

  /**
   * Calls {@code callback} with each server that turns unhealthy.
   *
   * @throws NullPointerException if {@code callback} is null
   */
  public void onUnhealthy(Consumer<Server> callback) {
    callbacks.onUnhealthy(callback);
  }

  /**
   * Calls {@code listener} on every transition, with both states and the deciding probe result.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public void onTransition(HealthTransitionListener listener) {
    callbacks.onTransition(listener);
  }

  /**
   * Calls {@code listener} with every recorded probe result and its latency.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public void onProbe(ProbeListener listener) {
    callbacks.onProbe(listener);
  }

  @Override
  public String toString() {
    return "HealthChecker{every "
        + interval
        + ", timeout "
        + timeout
        + ", "
        + thresholds
        + ", "
        + probe
        + (isRunning() ? ", running" : "")
        + "}";
  }

  /** Builds a {@link HealthChecker}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private Duration interval = Duration.ofSeconds(5);
    private Duration timeout = Duration.ofSeconds(2);
    private int healthyThreshold = 2;
    private int unhealthyThreshold = 3;
    private Probe probe = Probe.tcp();
    private double jitter = 0.1;
    private RandomGenerator random = RandomSources.threadLocal();
    private Ticker ticker = Ticker.system();
    private @Nullable Scheduler scheduler;
    private @Nullable Executor probeExecutor;
    private @Nullable Executor callbackExecutor;

    private Builder() {}

    /**
     * Sets how often each server is probed; 5 s by default, at most ten years.
     *
     * @throws IllegalArgumentException if {@code interval} is not positive, or over ten years
     */
    public Builder interval(Duration interval) {
      this.interval = bounded(interval, "interval");
      return this;
    }

    /**
     * Sets how long a probe may take before it counts as failed, in real time; 2 s by default. Must
     * not exceed the interval (checked by {@link #build()}).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive, or over ten years
     */
    public Builder timeout(Duration timeout) {
      this.timeout = bounded(timeout, "timeout");
      return this;
    }

    /**
     * Sets how many consecutive passed probes turn an unhealthy server healthy; 2 by default.
     *
     * @throws IllegalArgumentException if {@code threshold} is below 1
     */
    public Builder healthyThreshold(int threshold) {
      this.healthyThreshold = new Thresholds(threshold, 1).healthy();
      return this;
    }

    /**
     * Sets how many consecutive failed probes turn a healthy server unhealthy; 3 by default.
     *
     * @throws IllegalArgumentException if {@code threshold} is below 1
     */
    public Builder unhealthyThreshold(int threshold) {
      this.unhealthyThreshold = new Thresholds(1, threshold).unhealthy();
      return this;
    }

    /** Sets the probe; {@link Probe#tcp()} by default. */
    public Builder probe(Probe probe) {
      this.probe = Objects.requireNonNull(probe, "probe");
      return this;
    }

    /**
     * Sets how far each interval may move at random, as a share of it; 0.1 by default.
     *
     * @throws IllegalArgumentException if {@code jitter} is not in {@code [0, 1)}
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter < 1)) {
        throw new IllegalArgumentException("jitter: " + jitter + " (expected: >= 0 and < 1)");
      }
      this.jitter = jitter;
      return this;
    }

    /** Sets the random source of the jitter; {@link RandomSources#threadLocal()} by default. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets the clock the checker reads: probe latencies, and the bound on how long {@link
     * HealthChecker#stop()} waits for threads to end; {@link Ticker#system()} by default. Probe
     * deadlines are waited out in real time whatever this is (see the class documentation).
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Runs rounds on {@code scheduler} instead of the checker's own timer thread (tests pass a fake
     * one). The checker never shuts a given scheduler down. Probe deadlines stay on real time.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Runs probes on {@code executor} instead of the checker's own daemon threads ({@code
     * Runnable::run} runs them on the scheduler's thread, for tests with fake time). The checker
     * never shuts a given executor down. A probe it refuses counts as failed; a probe it accepts it
     * must run (one whose deadline passed before it started returns at once), or the server is not
     * probed again. A probe that overruns its deadline is interrupted.
     */
    public Builder probeExecutor(Executor executor) {
      this.probeExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Calls listeners on {@code executor} instead of the checker's own daemon threads ({@code
     * Runnable::run} calls them on the thread that recorded the result, for tests with fake time).
     * One server's calls still come one at a time, in order. The checker never shuts it down.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Returns the checker.
     *
     * @throws IllegalArgumentException if the timeout is longer than the interval
     */
    public HealthChecker build() {
      if (timeout.compareTo(interval) > 0) {
        throw new IllegalArgumentException(
            "timeout: " + timeout + " (expected: <= interval " + interval + ")");
      }
      return new HealthChecker(this);
    }

    private static Duration bounded(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      if (value.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            name + ": " + value + " (expected: <= " + MAX_DURATION + ")");
      }
      return value;
    }
  }
}
