package dev.lbkit.health;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Server;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
 * <h2>Scheduling</h2>
 *
 * After {@link #start()}, each watched server is probed every {@code interval}, give or take a
 * random jitter ({@code jitter} x interval, 10% by default) so that many checkers do not probe in
 * lockstep; the first probe comes within the first jitter window. A server is never probed twice at
 * once: a round that finds the previous probe still running is skipped. Every probe runs on its own
 * probe thread and is abandoned (and interrupted) when it overruns its {@code timeout}, which
 * counts as a failure, so a slow or hanging server delays no one else. Watched balancers and
 * collections are re-read every interval, so servers added to them are probed from the next round
 * on and removed ones are dropped.
 *
 * <h2>Callbacks</h2>
 *
 * {@link #onHealthy}, {@link #onUnhealthy} and {@link #onTransition} listeners are called once per
 * transition, after the new state is installed (by compare-and-set, from the pure function {@link
 * HealthState#after}) and written to the server. A listener that throws is logged; the other
 * listeners still run and the checker keeps checking.
 *
 * <h2>Threads</h2>
 *
 * The checker owns a scheduler thread and probe threads, all daemon threads named {@code
 * lbkit-health-...}, unless a {@link Builder#scheduler} and {@link Builder#probeExecutor} are
 * given. {@link #start()} and {@link #stop()} are idempotent; {@link #stop()} (and {@link
 * #close()}) cancels every scheduled probe, waits at most one timeout for probes in flight,
 * interrupts those that overran, and returns once every thread of its own has ended (waiting up to
 * 2 s more for a probe that ignores the interrupt, which is then logged). A stopped checker can be
 * started again. Thread-safe.
 */
public final class HealthChecker implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());

  /**
   * How long {@link #stop()} waits for the checker's own threads to end once told to, after the
   * probes in flight had their timeout: time for an interrupted probe to give up.
   */
  private static final Duration THREAD_END_WAIT = Duration.ofSeconds(2);

  /** One server the checker knows: its state, whether a probe is running, its next round. */
  private static final class Entry {
    final Server server;
    final AtomicReference<HealthState> state;
    final AtomicBoolean probing = new AtomicBoolean();
    volatile boolean overran; // the running probe passed its timeout
    volatile Scheduler.@Nullable Cancellable next;

    HealthState state() {
      return Objects.requireNonNull(state.get()); // never null: set in the constructor
    }

    Entry(Server server) {
      this.server = server;
      this.state =
          new AtomicReference<>(server.isHealthy() ? HealthState.HEALTHY : HealthState.UNHEALTHY);
    }
  }

  private final Duration interval;
  private final Duration timeout;
  private final Thresholds thresholds;
  private final Probe probe;
  private final double jitter;
  private final RandomGenerator random;
  private final @Nullable Scheduler givenScheduler;
  private final @Nullable Executor givenProbeExecutor;

  private final Map<Server, Entry> entries = new ConcurrentHashMap<>();
  private final List<Supplier<? extends Collection<Server>>> sources = new CopyOnWriteArrayList<>();
  private final Set<Server> fromSources = ConcurrentHashMap.newKeySet();
  private final List<Consumer<Server>> onHealthy = new CopyOnWriteArrayList<>();
  private final List<Consumer<Server>> onUnhealthy = new CopyOnWriteArrayList<>();
  private final List<HealthTransitionListener> onTransition = new CopyOnWriteArrayList<>();

  private final Object lifecycle = new Object();
  private @Nullable Scheduler scheduler; // guarded by lifecycle; non-null while started
  // The checker's own executors; each makes its threads with an OwnThreads, which stop() joins.
  private @Nullable ScheduledThreadPoolExecutor ownScheduler; // guarded by lifecycle
  private @Nullable ThreadPoolExecutor ownProbeExecutor; // guarded by lifecycle
  private Scheduler.@Nullable Cancellable syncTask; // guarded by lifecycle
  private volatile boolean running;

  private HealthChecker(Builder builder) {
    this.interval = builder.interval;
    this.timeout = builder.timeout;
    this.thresholds = new Thresholds(builder.healthyThreshold, builder.unhealthyThreshold);
    this.probe = builder.probe;
    this.jitter = builder.jitter;
    this.random = builder.random;
    this.givenScheduler = builder.scheduler;
    this.givenProbeExecutor = builder.probeExecutor;
  }

  /** Returns a builder with the defaults: every 5 s, 2 s timeout, thresholds 2 and 3, TCP probe. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- probing

  /**
   * Probes {@code server} once now, on the calling thread's behalf (waiting at most the timeout),
   * feeds the result to its state machine (firing callbacks on a transition) and returns whether
   * the probe passed. The server need not be watched.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public boolean check(Server server) {
    Objects.requireNonNull(server, "server");
    Entry entry = entries.computeIfAbsent(server, Entry::new);
    ProbeResult result;
    CompletableFuture<ProbeResult> future = runProbe(server, () -> {});
    try {
      result = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      result =
          ProbeResult.failed(new TimeoutException("probe of " + server + " took over " + timeout));
    } catch (ExecutionException e) {
      result = ProbeResult.failed(Objects.requireNonNullElse(e.getCause(), e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      result = ProbeResult.failed(e);
    }
    record(entry, result);
    return result.isPassed();
  }

  /**
   * Starts a probe of {@code server} on a probe thread; the future completes with its result and
   * never fails. {@code onExit} runs when the probe's thread is done with it, which for a probe
   * that overran its timeout is later than the future completes.
   */
  private CompletableFuture<ProbeResult> runProbe(Server server, Runnable onExit) {
    CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    Runnable task =
        () -> {
          try {
            if (!result.isDone()) { // else it timed out before it even started
              result.complete(Objects.requireNonNull(probe.probe(server, timeout), "probe result"));
            }
          } catch (Exception | Error e) {
            result.complete(ProbeResult.failed(e));
          } finally {
            onExit.run();
          }
        };
    Executor executor = probeExecutor();
    if (executor instanceof ExecutorService) {
      Future<?> running = ((ExecutorService) executor).submit(task);
      // cancel(true) on the result interrupts the probe thread
      CompletableFuture<ProbeResult> unused =
          result.whenComplete(
              (r, e) -> {
                if (result.isCancelled()) {
                  running.cancel(true);
                }
              });
    } else {
      executor.execute(task);
    }
    return result;
  }

  /** Feeds one result to the entry's state machine; on a transition, writes health and notifies. */
  private void record(Entry entry, ProbeResult result) {
    if (result.isPassed()) {
      result.load().ifPresent(entry.server::reportLoad);
    }
    HealthState from;
    HealthState base;
    HealthState to;
    do {
      from = entry.state();
      // Someone else set the server's health (an operator, another checker): start from what
      // the server says, so that the thresholds bring it back and the transition is reported.
      base =
          from.healthy() == entry.server.isHealthy()
              ? from
              : entry.server.isHealthy() ? HealthState.HEALTHY : HealthState.UNHEALTHY;
      to = base.after(result.isPassed(), thresholds);
    } while (!entry.state.compareAndSet(from, to));
    if (!base.flipsTo(to)) {
      return;
    }
    entry.server.setHealthy(to.healthy());
    for (Consumer<Server> callback : to.healthy() ? onHealthy : onUnhealthy) {
      notify(callback, () -> callback.accept(entry.server));
    }
    for (HealthTransitionListener listener : onTransition) {
      HealthState before = base;
      HealthState after = to;
      notify(listener, () -> listener.onTransition(entry.server, before, after, result));
    }
  }

  private static void notify(Object callback, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "health callback " + callback + " threw; ignored", e);
    }
  }

  // ---------------------------------------------------------------- watching

  /**
   * Checks {@code lb}'s servers from now on, following its {@code addServer} and {@code
   * removeServer} (re-read every interval).
   *
   * @throws NullPointerException if {@code lb} is null
   */
  public void watch(LoadBalancer lb) {
    Objects.requireNonNull(lb, "lb");
    watch(lb::servers);
  }

  /**
   * Checks the servers in {@code servers} from now on. The collection is re-read every interval, so
   * a concurrent collection that changes is followed.
   *
   * @throws NullPointerException if {@code servers} is null
   */
  public void watch(Collection<Server> servers) {
    Objects.requireNonNull(servers, "servers");
    watch(() -> servers);
  }

  private void watch(Supplier<? extends Collection<Server>> source) {
    sources.add(source);
    if (running) {
      sync();
    }
  }

  /** Returns the servers being checked now. */
  public Set<Server> watched() {
    return Set.copyOf(fromSources);
  }

  /**
   * Returns the state machine's view of {@code server}: healthy or not and the contrary streak; the
   * server's own flag if it was never probed.
   */
  public HealthState state(Server server) {
    Entry entry = entries.get(Objects.requireNonNull(server, "server"));
    return entry != null
        ? entry.state()
        : (server.isHealthy() ? HealthState.HEALTHY : HealthState.UNHEALTHY);
  }

  /** Re-reads the sources: schedules servers that appeared, drops those that left. */
  private void sync() {
    Set<Server> now = new HashSet<>();
    for (Supplier<? extends Collection<Server>> source : sources) {
      try {
        now.addAll(source.get());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a watched server source threw; it is skipped this round", e);
      }
    }
    for (Server server : now) {
      if (fromSources.add(server)) {
        Entry entry = entries.computeIfAbsent(server, Entry::new);
        scheduleRound(entry, initialDelayNanos());
      }
    }
    for (Server server : List.copyOf(fromSources)) {
      if (!now.contains(server)) {
        fromSources.remove(server);
        Entry entry = entries.remove(server);
        if (entry != null) {
          Scheduler.Cancellable next = entry.next;
          if (next != null) {
            next.cancel();
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- scheduling

  private void scheduleRound(Entry entry, long delayNanos) {
    Scheduler s = currentScheduler();
    if (s == null || !running) {
      return;
    }
    entry.next = s.schedule(() -> round(entry), delayNanos);
  }

  /**
   * One round for one server: a new probe, unless the last one still runs past its timeout (a
   * server is never probed twice at once), which counts as another failure; then the next round.
   */
  private void round(Entry entry) {
    if (!running || entries.get(entry.server) != entry) {
      return; // stopped, or the server is no longer watched
    }
    if (!entry.probing.compareAndSet(false, true)) {
      if (entry.overran) { // else it is still within its timeout: just skip this round
        record(
            entry, ProbeResult.failed("the previous probe still runs past its timeout " + timeout));
      }
    } else {
      entry.overran = false;
      CompletableFuture<ProbeResult> result =
          runProbe(entry.server, () -> entry.probing.set(false));
      Scheduler s = currentScheduler();
      Scheduler.Cancellable deadline =
          s == null
              ? () -> {}
              : s.schedule(
                  () -> {
                    if (result.cancel(true)) {
                      entry.overran = true;
                      finish(entry, timedOut(entry.server));
                    }
                  },
                  timeout.toNanos());
      CompletableFuture<ProbeResult> unused =
          result.whenComplete(
              (r, e) -> {
                if (r != null) {
                  deadline.cancel();
                  finish(entry, r);
                }
              });
    }
    scheduleRound(entry, nextDelayNanos());
  }

  private void finish(Entry entry, ProbeResult result) {
    if (entries.get(entry.server) == entry) {
      record(entry, result);
    }
  }

  private ProbeResult timedOut(Server server) {
    return ProbeResult.failed(new TimeoutException("probe of " + server + " took over " + timeout));
  }

  private long initialDelayNanos() {
    return (long) (interval.toNanos() * jitter * random.nextDouble());
  }

  /** Returns the interval, moved by up to {@code jitter} of itself either way. */
  long nextDelayNanos() {
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    return (long) (interval.toNanos() * factor);
  }

  private @Nullable Scheduler currentScheduler() {
    synchronized (lifecycle) {
      return scheduler;
    }
  }

  private Executor probeExecutor() {
    if (givenProbeExecutor != null) {
      return givenProbeExecutor;
    }
    synchronized (lifecycle) {
      ThreadPoolExecutor own = ownProbeExecutor;
      if (own == null || own.isShutdown()) {
        own = // what Executors.newCachedThreadPool makes, typed so that stop() finds its threads
            new ThreadPoolExecutor(
                0,
                Integer.MAX_VALUE,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                new OwnThreads("lbkit-health-probe-"));
        ownProbeExecutor = own;
      }
      return own;
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts checking the watched servers; does nothing if already started. */
  public void start() {
    synchronized (lifecycle) {
      if (running) {
        return;
      }
      if (givenScheduler != null) {
        scheduler = givenScheduler;
      } else {
        ScheduledThreadPoolExecutor own =
            new ScheduledThreadPoolExecutor(1, new OwnThreads("lbkit-health-scheduler-"));
        own.setRemoveOnCancelPolicy(true);
        ownScheduler = own;
        scheduler =
            (task, delayNanos) -> {
              Future<?> f = own.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
              return () -> f.cancel(false);
            };
      }
      running = true;
    }
    sync();
    scheduleSync();
  }

  private void scheduleSync() {
    Scheduler s = currentScheduler();
    if (s == null || !running) {
      return;
    }
    Scheduler.Cancellable task =
        s.schedule(
            () -> {
              if (running) {
                sync();
                scheduleSync();
              }
            },
            interval.toNanos());
    synchronized (lifecycle) {
      syncTask = task;
    }
  }

  /**
   * Stops checking: cancels every scheduled probe, waits at most one timeout for probes in flight,
   * then interrupts those still running and waits (up to 2 s more) until every thread of the
   * checker's own has ended. Does nothing if not started. Health states are kept, and {@link
   * #start()} resumes.
   */
  public void stop() {
    ScheduledThreadPoolExecutor ownS;
    ThreadPoolExecutor ownP;
    synchronized (lifecycle) {
      if (running) {
        running = false;
        Scheduler.Cancellable sync = syncTask;
        if (sync != null) {
          sync.cancel();
        }
        syncTask = null;
        for (Entry entry : entries.values()) {
          Scheduler.Cancellable next = entry.next;
          if (next != null) {
            next.cancel();
          }
        }
        fromSources.clear();
        scheduler = null;
      }
      ownS = ownScheduler; // null if not running
      ownScheduler = null;
      ownP = ownProbeExecutor; // check() may have started probe threads while not running
      ownProbeExecutor = null;
    }
    if (ownS != null) {
      ownS.shutdownNow();
    }
    try {
      if (ownP != null) {
        ownP.shutdown();
        ownP.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
        ownP.shutdownNow(); // interrupt what overran
      }
      long deadline = System.nanoTime() + THREAD_END_WAIT.toNanos();
      awaitThreadsEnded(ownS, deadline);
      awaitThreadsEnded(ownP, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stop waiting; the threads are told to end anyway
      if (ownP != null) {
        ownP.shutdownNow();
      }
    }
  }

  /** Waits until the threads of {@code own}, if any, have ended; logs those that have not. */
  private static void awaitThreadsEnded(@Nullable ThreadPoolExecutor own, long deadlineNanos)
      throws InterruptedException {
    if (own == null) {
      return;
    }
    List<String> alive = ((OwnThreads) own.getThreadFactory()).awaitEnded(deadlineNanos);
    if (!alive.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "health checker threads still running {0} after stop: {1}",
          THREAD_END_WAIT,
          alive);
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** Returns whether the checker has been started and not stopped. */
  public boolean isRunning() {
    return running;
  }

  // ---------------------------------------------------------------- callbacks

  /**
   * Calls {@code callback} with each server that turns healthy.
   *
   * @throws NullPointerException if {@code callback} is null
   */
  public void onHealthy(Consumer<Server> callback) {
    onHealthy.add(Objects.requireNonNull(callback, "callback"));
  }

  /**
   * Calls {@code callback} with each server that turns unhealthy.
   *
   * @throws NullPointerException if {@code callback} is null
   */
  public void onUnhealthy(Consumer<Server> callback) {
    onUnhealthy.add(Objects.requireNonNull(callback, "callback"));
  }

  /**
   * Calls {@code listener} on every transition, with both states and the deciding probe result.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public void onTransition(HealthTransitionListener listener) {
    onTransition.add(Objects.requireNonNull(listener, "listener"));
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
        + (running ? ", running" : "")
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
    private @Nullable Scheduler scheduler;
    private @Nullable Executor probeExecutor;

    private Builder() {}

    /**
     * Sets how often each server is probed; 5 s by default.
     *
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public Builder interval(Duration interval) {
      this.interval = positive(interval, "interval");
      return this;
    }

    /**
     * Sets how long a probe may take before it counts as failed; 2 s by default. Must not exceed
     * the interval (checked by {@link #build()}).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
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
     * Times probes with {@code scheduler} instead of the checker's own daemon thread (tests pass a
     * fake one). The checker never shuts a given scheduler down.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Runs probes on {@code executor} instead of the checker's own daemon threads ({@code
     * Runnable::run} runs them on the scheduler's thread, for tests with fake time). The checker
     * never shuts a given executor down; a probe that overruns is interrupted only if {@code
     * executor} is an {@link ExecutorService}.
     */
    public Builder probeExecutor(Executor executor) {
      this.probeExecutor = Objects.requireNonNull(executor, "executor");
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

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }
  }
}
