package dev.lbkit.health;

import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link HealthChecker}'s rounds and probes: one round per watched server per interval, at
 * most one probe in flight per server (a {@code check()} joins the one in flight), every probe
 * bounded by a deadline, and each result fed to the server's state machine.
 *
 * <h2>Time</h2>
 *
 * Two clocks, each for what it is good at. Rounds (when to probe) run on the {@link Scheduler}: the
 * checker's own timer thread, or a fake one that tests advance. Deadlines (how long a probe may
 * take) always run on the checker's own timer in real time, because a probe's I/O runs in real
 * time: on a fake scheduler a jump of fake time would otherwise fail a healthy server whose answer
 * is still on the wire. Latency is read on the checker's {@link Ticker}.
 *
 * <h2>Never stuck</h2>
 *
 * A round always schedules the next one, whatever happened in it. A probe that cannot be submitted
 * (the executor refused it) is a failed probe, logged, and the server is probed again next round. A
 * probe that overruns its deadline is a failure; its thread is interrupted, and until it is done
 * with the probe each round (or check) records one more failure instead of starting a second probe
 * of the same server.
 */
final class Rounds {

  private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());

  private final Probe probe;
  private final Duration timeout;
  private final long timeoutNanos;
  private final long intervalNanos;
  private final Thresholds thresholds;
  private final double jitter;
  private final RandomGenerator random;
  private final Ticker ticker;
  private final @Nullable Executor givenProbeExecutor;
  private final CheckerThreads threads;
  private final Callbacks callbacks;
  private final Watchlist watchlist;

  /** Non-null while the checker runs. */
  private volatile @Nullable Scheduler scheduler;

  private volatile Scheduler.@Nullable Cancellable syncTask;

  Rounds(
      Probe probe,
      Duration interval,
      Duration timeout,
      Thresholds thresholds,
      double jitter,
      RandomGenerator random,
      Ticker ticker,
      @Nullable Executor givenProbeExecutor,
      CheckerThreads threads,
      Callbacks callbacks,
      Watchlist watchlist) {
    this.probe = probe;
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.intervalNanos = interval.toNanos();
    this.thresholds = thresholds;
    this.jitter = jitter;
    this.random = random;
    this.ticker = ticker;
    this.givenProbeExecutor = givenProbeExecutor;
    this.threads = threads;
    this.callbacks = callbacks;
    this.watchlist = watchlist;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts rounds on {@code s}; {@link #firstSync} then reads the watch list. */
  void start(Scheduler s) {
    scheduler = s;
  }

  /** Reads the watch list now, and again every interval from then on. */
  void firstSync() {
    syncEveryInterval();
  }

  /** Stops every round; probes in flight finish (or are interrupted by the threads' shutdown). */
  void stop() {
    scheduler = null;
    Scheduler.Cancellable sync = syncTask;
    if (sync != null) {
      sync.cancel();
    }
    watchlist.clear();
  }

  boolean isRunning() {
    return scheduler != null;
  }

  /** Re-reads the watch list now, if running: new servers get their first round. */
  void sync() {
    if (isRunning()) {
      watchlist.sync(added -> scheduleRound(added, initialDelayNanos()));
    }
  }

  /** Re-reads the watch list, then again every interval while running. */
  private void syncEveryInterval() {
    if (!isRunning()) {
      return;
    }
    try {
      sync();
    } catch (RuntimeException | Error e) { // our bug: keep following the sources anyway
      LOG.log(Level.ERROR, "re-reading the watched servers failed", e);
    } finally {
      syncTask = schedule(this::syncEveryInterval, intervalNanos);
    }
  }

  private Scheduler.@Nullable Cancellable schedule(Runnable task, long delayNanos) {
    Scheduler s = scheduler;
    if (s == null) {
      return null;
    }
    Scheduler.Cancellable scheduled;
    try {
      scheduled = s.schedule(task, delayNanos);
    } catch (RuntimeException e) {
      if (isRunning()) {
        LOG.log(Level.ERROR, "the health checker's scheduler refused a task", e);
      }
      return null;
    }
    if (!isRunning()) {
      scheduled.cancel(); // stopped meanwhile
    }
    return scheduled;
  }

  // ---------------------------------------------------------------- rounds

  private void scheduleRound(Target target, long delayNanos) {
    target.next = schedule(() -> round(target), delayNanos);
  }

  /**
   * One round for one server: a new probe, unless one is in flight (a round that finds a probe
   * within its deadline joins it; one past its deadline whose thread still runs is one more
   * failure). Then, whatever happened, the next round.
   */
  private void round(Target target) {
    if (!isRunning() || !watchlist.isWatched(target)) {
      return; // stopped, or the server is no longer watched
    }
    try {
      Flight flight = target.inFlight.get();
      if (flight == null) {
        Flight unused = launch(target, true);
      } else if (flight.overran(target)) {
        record(target, stillRunning(), 0);
      }
    } catch (RuntimeException | Error e) { // our bug, not the server's: keep probing anyway
      LOG.log(Level.ERROR, "a health check round of " + target.server + " failed", e);
    } finally {
      scheduleRound(target, nextDelayNanos());
    }
  }

  // ---------------------------------------------------------------- check

  /** Probes {@code server} now, or joins its probe in flight; returns whether the probe passed. */
  boolean check(Server server) {
    Target target = watchlist.target(server);
    while (true) {
      Flight flight = target.inFlight.get();
      if (flight == null) {
        flight = launch(target, false);
        if (flight == null) {
          continue; // another thread launched one first: join it
        }
      } else if (flight.overran(target)) {
        return record(target, stillRunning(), 0).isPassed();
      }
      return await(flight);
    }
  }

  /**
   * Waits until {@code flight}'s result is recorded, enforcing its deadline if nobody else does.
   */
  private boolean await(Flight flight) {
    try {
      return flight.recorded.get(timeoutNanos, TimeUnit.NANOSECONDS).isPassed();
    } catch (TimeoutException e) { // the deadline timer is gone (a concurrent stop, say)
      flight.timeOut(timedOut(flight));
      return flight.recorded.join().isPassed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // leave the probe to those still waiting for it
      return false;
    } catch (ExecutionException e) {
      return false; // not reached: recorded never fails
    }
  }

  // ---------------------------------------------------------------- probes

  /**
   * Starts a probe of {@code target}'s server, unless one is in flight (then returns null). The
   * result is recorded when it comes, or a failure when the deadline passes first; a probe a round
   * started is recorded only if the checker still runs and the server is still watched by then.
   */
  private @Nullable Flight launch(Target target, boolean byRound) {
    Flight flight = new Flight(target.server, ticker.read());
    if (!target.inFlight.compareAndSet(null, flight)) {
      return null;
    }
    Server server = target.server;
    var unused =
        flight.result.whenComplete(
            (result, failure) -> {
              ProbeResult r = result != null ? result : ProbeResult.failed(failureOf(failure));
              if (!byRound || (isRunning() && watchlist.isWatched(target))) {
                record(target, r, ticker.read() - flight.startNanos);
              }
              flight.recorded.complete(r);
            });
    try {
      ScheduledFuture<?> deadline =
          threads
              .timer()
              .schedule(() -> flight.timeOut(timedOut(flight)), timeoutNanos, TimeUnit.NANOSECONDS);
      var unused2 = flight.result.whenComplete((r, e) -> deadline.cancel(false));
      submit(target, flight);
    } catch (
        RuntimeException refused) { // item 1: a refused probe is a failed probe, not a lost one
      LOG.log(
          Level.WARNING,
          "the probe of " + server + " could not be started; it counts as failed",
          refused);
      target.inFlight.compareAndSet(flight, null);
      flight.result.complete(ProbeResult.failed(refused));
    }
    return flight;
  }

  private void submit(Target target, Flight flight) {
    Runnable task =
        () -> {
          ProbeResult result = null;
          if (flight.begin()) { // else it timed out before it even started: no probe at all
            try {
              result = Objects.requireNonNull(probeOnce(target.server), "probe result");
            } catch (Exception | Error e) {
              result = ProbeResult.failed(e);
            } finally {
              flight.end();
            }
          }
          // Done with it, before the result is out: whoever sees the result and probes again
          // finds the way clear, and a flight still in place with a result has overrun.
          target.inFlight.compareAndSet(flight, null);
          if (result != null) {
            flight.result.complete(result);
          }
        };
    Executor given = givenProbeExecutor;
    (given != null ? given : threads.probes()).execute(task);
  }

  private ProbeResult probeOnce(Server server) throws Exception {
    if (probe instanceof HttpProbe) {
      HttpProbe http = (HttpProbe) probe;
      return http.probe(server, timeout, threads.httpClient(http.sslContext()));
    }
    return probe.probe(server, timeout);
  }

  /** Feeds one result to the target's state machine; writes health and queues callbacks. */
  ProbeResult record(Target target, ProbeResult result, long latencyNanos) {
    Server server = target.server;
    synchronized (target) { // one order for states, the server's flag and queued callbacks
      if (result.isPassed()) {
        result.load().ifPresent(server::reportLoad);
      }
      HealthState from = target.state();
      // Someone else set the server's health (an operator, another checker): start from what
      // the server says, so that the thresholds bring it back and the transition is reported.
      HealthState base =
          from.healthy() == server.isHealthy()
              ? from
              : server.isHealthy() ? HealthState.HEALTHY : HealthState.UNHEALTHY;
      HealthState to = base.after(result.isPassed(), thresholds);
      target.install(to);
      if (base.flipsTo(to)) {
        server.setHealthy(to.healthy());
      }
      callbacks.queue(target, base, to, result, latencyNanos);
    }
    callbacks.dispatch(target);
    return result;
  }

  private ProbeResult timedOut(Flight flight) {
    return ProbeResult.failed(
        new TimeoutException("probe of " + flight.server + " took over " + timeout));
  }

  private ProbeResult stillRunning() {
    return ProbeResult.failed("the previous probe still runs past its timeout " + timeout);
  }

  private static Throwable failureOf(@Nullable Throwable failure) {
    return failure != null ? failure : new IllegalStateException("no result");
  }

  private long initialDelayNanos() {
    return (long) (intervalNanos * jitter * random.nextDouble());
  }

  /** Returns the interval, moved by up to {@code jitter} of itself either way. */
  long nextDelayNanos() {
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    return (long) (intervalNanos * factor);
  }
}
