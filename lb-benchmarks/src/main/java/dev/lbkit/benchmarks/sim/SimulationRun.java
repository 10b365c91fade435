package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.LoadReport;
import dev.lbkit.core.LoadReporter;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * One run of a {@link Simulation} with one seed: the event loop, the servers' queues and the
 * clients' routers. Single-threaded; see {@link Simulation} for the model.
 */
final class SimulationRun implements Ticker, FleetView {

  /*
   * Servers. Each server keeps a virtual work clock: the nanoseconds of work each request in
   * service has received since the start. It advances at the rate one request in service is
   * served (the server's speed, shared among the requests for processor sharing), so a request
   * put in service at work clock v with work w is done when the clock reaches v + w, its tag,
   * whatever happens to the speed meanwhile. The requests in service sit in a heap by tag; the
   * server's next completion is one event, moved whenever the rate or the smallest tag changes.
   */

  private static final int ARRIVAL = 0;
  private static final int COMPLETION = 1;
  private static final int SLOWDOWN = 2;
  private static final int ANTAGONIST = 3;
  private static final int JOIN = 4;
  private static final int ACTION = 5;

  private final Simulation sim;
  private final EventHeap events = new EventHeap();
  private long now;

  private final int size;
  private final ServerSpec[] specs;
  private final boolean[] sharing;
  private final int[] cores;
  private final int[] limit;
  private final double[] slowProduct;
  private final int[] stalls;
  private final double[] antagonistFactor;
  private final double[] speed;
  private final double[] work;
  private final long[] last;
  private final double[] busy;
  private final int[] held;
  private final ServiceQueue[] queues;
  private final int[] completion;
  private final boolean[] member;
  private final double[] recentLatency;
  private final LoadReporter[] reporters;
  private final RandomGenerator[] antagonistRandom;
  private final boolean[] slowed;
  private final int[] slowServer;
  private final double[] slowFactor;
  private final boolean[] slowStarts;

  private long[] arrivedAt = new long[64];
  private int[] clientOf = new int[64];
  private double[] workOf = new double[64];
  private long[] tokenOf = new long[64];
  private boolean[] measured = new boolean[64];
  private int[] freeCalls = new int[64];
  private int freeCount;
  private int calls;
  private int inFlight;
  private boolean arrivalsDone;
  private long eventsRun;

  private @Nullable Runnable[] actions = new Runnable[16];
  private int[] freeActions = new int[16];
  private int freeActionCount;
  private int actionCount;

  private final Router[] routers;
  private final RandomGenerator arrivalRandom;
  private final RandomGenerator workRandom;
  private final Arrivals arrivals;
  private final double maxPerNano;
  private final long measureFrom;
  private final long end;
  private final long successNanos;
  private final LatencyHistogram all = new LatencyHistogram();
  private final @Nullable LatencyHistogram window;
  private final boolean @Nullable [] windowServers;

  SimulationRun(Simulation sim, long seed) {
    this.sim = sim;
    List<ServerSpec> fleet = sim.fleet().servers();
    size = fleet.size();
    specs = fleet.toArray(new ServerSpec[0]);
    sharing = new boolean[size];
    cores = new int[size];
    limit = new int[size];
    slowProduct = new double[size];
    stalls = new int[size];
    antagonistFactor = new double[size];
    speed = new double[size];
    work = new double[size];
    last = new long[size];
    busy = new double[size];
    held = new int[size];
    queues = new ServiceQueue[size];
    completion = new int[size];
    member = new boolean[size];
    recentLatency = new double[size];
    reporters = new LoadReporter[size];
    antagonistRandom = new RandomGenerator[size];
    slowed = new boolean[size];

    SplittableRandom root = new SplittableRandom(seed);
    arrivalRandom = root.split();
    workRandom = root.split();
    SplittableRandom antagonistRoot = root.split();
    SplittableRandom clientRoot = root.split();

    int slowdowns = 0;
    for (int i = 0; i < size; i++) {
      ServerSpec s = specs[i];
      sharing[i] = s.discipline() == Discipline.PROCESSOR_SHARING;
      cores[i] = s.cores();
      limit[i] = s.queueLimit();
      slowProduct[i] = 1;
      antagonistFactor[i] = 1;
      queues[i] = new ServiceQueue();
      reporters[i] = LoadReporter.create(this);
      completion[i] = -1;
      member[i] = s.joinAt().isZero();
      antagonistRandom[i] = antagonistRoot.split();
      updateSpeed(i);
      slowdowns += s.slowdowns().size();
    }
    slowServer = new int[2 * slowdowns];
    slowFactor = new double[2 * slowdowns];
    slowStarts = new boolean[2 * slowdowns];

    arrivals = sim.arrivals();
    maxPerNano = arrivals.maxPerSecond() / 1e9;
    measureFrom = sim.warmup().toNanos();
    end = sim.duration().toNanos();
    successNanos = sim.successWithin().toNanos();
    Simulation.Window w = sim.window();
    if (w == null) {
      window = null;
      windowServers = null;
    } else {
      window = new LatencyHistogram();
      boolean[] servers = new boolean[size];
      for (int i : w.servers()) {
        servers[i] = true;
      }
      windowServers = w.servers().length == 0 ? null : servers;
    }

    routers = new Router[sim.clients()];
    for (int c = 0; c < routers.length; c++) {
      routers[c] = sim.policy().router(new Context(c, clientRoot.split()));
    }
  }

  /** Runs to the end and returns what was measured. */
  RunResult run(long seed) {
    scheduleNextArrival();
    int k = 0;
    for (int i = 0; i < size; i++) {
      ServerSpec s = specs[i];
      for (Slowdown slowdown : s.slowdowns()) {
        for (boolean start : new boolean[] {true, false}) {
          slowServer[k] = i;
          slowFactor[k] = slowdown.factor();
          slowStarts[k] = start;
          events.schedule((start ? slowdown.from() : slowdown.until()).toNanos(), SLOWDOWN, k++);
        }
      }
      Antagonist a = s.antagonist();
      if (a != null) {
        events.schedule(exponential(antagonistRandom[i], a.meanNormal().toNanos()), ANTAGONIST, i);
      }
      if (!member[i]) {
        events.schedule(s.joinAt().toNanos(), JOIN, i);
      }
    }
    while (!events.isEmpty() && !(arrivalsDone && inFlight == 0)) {
      int h = events.poll();
      now = events.time(h);
      int kind = events.kind(h);
      int arg = events.argument(h);
      events.release(h);
      eventsRun++;
      switch (kind) {
        case ARRIVAL -> arrive();
        case COMPLETION -> complete(arg);
        case SLOWDOWN -> slowdown(arg);
        case ANTAGONIST -> antagonist(arg);
        case JOIN -> join(arg);
        case ACTION -> act(arg);
        default -> throw new AssertionError(kind);
      }
    }
    if (inFlight > 0) {
      throw new IllegalStateException(
          "requests in flight: " + inFlight + " (expected: 0; a server stalled for good?)");
    }
    double measuredNanos = (double) (end - measureFrom);
    double[] utilization = new double[size];
    for (int i = 0; i < size; i++) {
      utilization[i] = cores[i] == ServerSpec.UNLIMITED ? Double.NaN : busy[i] / measuredNanos;
    }
    return new RunResult(
        seed, all.summary(), window == null ? null : window.summary(), utilization, eventsRun);
  }

  private static long exponential(RandomGenerator random, long meanNanos) {
    return Math.max(1, Math.round(random.nextExponential() * (double) meanNanos));
  }

  private void scheduleNextArrival() {
    long t = now;
    while (true) {
      double gap = arrivalRandom.nextExponential() / maxPerNano;
      if (t + gap >= end) {
        arrivalsDone = true;
        return;
      }
      t += Math.max(0, Math.round(gap));
      if (arrivalRandom.nextDouble() * arrivals.maxPerSecond() < arrivals.perSecond(t)) {
        events.schedule(t, ARRIVAL, 0);
        return;
      }
    }
  }

  private void arrive() {
    int client = routers.length == 1 ? 0 : arrivalRandom.nextInt(routers.length);
    scheduleNextArrival();
    int call = newCall();
    arrivedAt[call] = now;
    clientOf[call] = client;
    measured[call] = now >= measureFrom;
    int s = routers[client].pick(call);
    if (s < 0 || s >= size || !member[s]) {
      throw new IllegalStateException(
          sim.policy().name() + " picked server " + s + " (expected: a member of 0.." + size + ")");
    }
    double w = specs[s].serviceTime().sampleNanos(workRandom);
    if (held[s] >= limit[s]) {
      if (measured[call]) {
        all.refuse();
        if (window != null && inWindow(call, s)) {
          window.refuse();
        }
      }
      routers[client].complete(call, s, 0, false);
      freeCall(call);
      return;
    }
    advance(s);
    held[s]++;
    inFlight++;
    tokenOf[call] = reporters[s].begin();
    ServiceQueue q = queues[s];
    if (sharing[s] || q.servingCount() < cores[s]) {
      q.serve(call, work[s] + w);
    } else {
      workOf[call] = w;
      q.await(call);
    }
    reschedule(s);
  }

  private boolean inWindow(int call, int server) {
    Simulation.Window w = Objects.requireNonNull(sim.window());
    long t = arrivedAt[call];
    return t >= w.fromNanos()
        && t < w.untilNanos()
        && (windowServers == null || windowServers[server]);
  }

  private void complete(int s) {
    completion[s] = -1;
    advance(s);
    ServiceQueue q = queues[s];
    work[s] = Math.max(work[s], q.minTag());
    int call = q.finishFirst();
    held[s]--;
    inFlight--;
    reporters[s].end(tokenOf[call]);
    if (!sharing[s] && q.waitingCount() > 0) {
      int next = q.next();
      q.serve(next, work[s] + workOf[next]);
    }
    reschedule(s);
    long latency = now - arrivedAt[call];
    recentLatency[s] =
        recentLatency[s] == 0
            ? (double) latency
            : recentLatency[s] + ((double) latency - recentLatency[s]) / 16;
    boolean success = latency <= successNanos;
    if (measured[call]) {
      all.record(latency, success);
      if (window != null && inWindow(call, s)) {
        window.record(latency, success);
      }
    }
    routers[clientOf[call]].complete(call, s, latency, success);
    freeCall(call);
  }

  private void slowdown(int k) {
    int s = slowServer[k];
    advance(s);
    double f = slowFactor[k];
    if (f == 0) {
      stalls[s] += slowStarts[k] ? 1 : -1;
    } else if (slowStarts[k]) {
      slowProduct[s] *= f;
    } else {
      slowProduct[s] /= f;
    }
    updateSpeed(s);
    reschedule(s);
  }

  private void antagonist(int s) {
    advance(s);
    Antagonist a = Objects.requireNonNull(specs[s].antagonist());
    slowed[s] = !slowed[s];
    antagonistFactor[s] = slowed[s] ? a.factor() : 1;
    updateSpeed(s);
    reschedule(s);
    Duration mean = slowed[s] ? a.meanSlowed() : a.meanNormal();
    events.schedule(now + exponential(antagonistRandom[s], mean.toNanos()), ANTAGONIST, s);
  }

  private void join(int s) {
    member[s] = true;
    last[s] = now;
    for (Router router : routers) {
      router.joined(s);
    }
  }

  private void act(int slot) {
    Runnable action = Objects.requireNonNull(actions[slot]);
    actions[slot] = null;
    if (freeActionCount == freeActions.length) {
      freeActions = Arrays.copyOf(freeActions, freeActionCount * 2);
    }
    freeActions[freeActionCount++] = slot;
    action.run();
  }

  void schedule(long delayNanos, Runnable action) {
    Objects.requireNonNull(action, "action");
    if (delayNanos < 0) {
      throw new IllegalArgumentException("delayNanos: " + delayNanos + " (expected: >= 0)");
    }
    int slot;
    if (freeActionCount > 0) {
      slot = freeActions[--freeActionCount];
    } else {
      if (actionCount == actions.length) {
        actions = Arrays.copyOf(actions, actionCount * 2);
      }
      slot = actionCount++;
    }
    actions[slot] = action;
    events.schedule(now + delayNanos, ACTION, slot);
  }

  private void updateSpeed(int s) {
    speed[s] = stalls[s] > 0 ? 0 : specs[s].speed() * slowProduct[s] * antagonistFactor[s];
  }

  /** The rate at which each request in service on {@code s} is served now. */
  private double rate(int s) {
    int m = queues[s].servingCount();
    return sharing[s] && m > cores[s] ? speed[s] * cores[s] / m : speed[s];
  }

  /** Brings server {@code s}'s work clock and busy time up to now. */
  private void advance(int s) {
    long from = last[s];
    long dt = now - from;
    if (dt <= 0) {
      return;
    }
    int m = queues[s].servingCount();
    if (m > 0) {
      work[s] += (double) dt * rate(s);
      if (cores[s] != ServerSpec.UNLIMITED) {
        long overlap = Math.min(now, end) - Math.max(from, measureFrom);
        if (overlap > 0) {
          busy[s] += (double) overlap * Math.min(m, cores[s]) / cores[s];
        }
      }
    }
    last[s] = now;
  }

  /** Moves server {@code s}'s next completion to when its smallest tag is reached. */
  private void reschedule(int s) {
    ServiceQueue q = queues[s];
    double r = rate(s);
    int h = completion[s];
    if (q.servingCount() == 0 || r <= 0) {
      if (h >= 0) {
        events.cancel(h);
        completion[s] = -1;
      }
      return;
    }
    long at = now + (long) Math.ceil(Math.max(0, (q.minTag() - work[s]) / r));
    if (h < 0) {
      completion[s] = events.schedule(at, COMPLETION, s);
    } else if (events.time(h) != at) {
      events.reschedule(h, at);
    }
  }

  private int newCall() {
    int call;
    if (freeCount > 0) {
      call = freeCalls[--freeCount];
    } else {
      if (calls == arrivedAt.length) {
        int n = calls * 2;
        arrivedAt = Arrays.copyOf(arrivedAt, n);
        clientOf = Arrays.copyOf(clientOf, n);
        workOf = Arrays.copyOf(workOf, n);
        tokenOf = Arrays.copyOf(tokenOf, n);
        measured = Arrays.copyOf(measured, n);
      }
      call = calls++;
    }
    return call;
  }

  private void freeCall(int call) {
    if (freeCount == freeCalls.length) {
      freeCalls = Arrays.copyOf(freeCalls, freeCount * 2);
    }
    freeCalls[freeCount++] = call;
  }

  // Ticker and FleetView

  @Override
  public long read() {
    return now;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isMember(int i) {
    return member[i];
  }

  @Override
  public int requestsInFlight(int i) {
    return held[i];
  }

  @Override
  public double speed(int i) {
    return speed[i];
  }

  @Override
  public ServerSpec spec(int i) {
    return specs[i];
  }

  @Override
  public double recentLatencyNanos(int i) {
    return recentLatency[i];
  }

  @Override
  public LoadReport loadReport(int i) {
    return reporters[i].snapshot();
  }

  /** What a client sees. */
  private final class Context implements Client {
    private final int index;
    private final RandomGenerator random;
    private final List<Server> servers = new ArrayList<>();
    private final List<Server> initial = new ArrayList<>();
    private final IdentityHashMap<Server, Integer> indexes = new IdentityHashMap<>();

    Context(int index, RandomGenerator random) {
      this.index = index;
      this.random = random;
      for (int i = 0; i < size; i++) {
        Server server = new Server("backend-" + i, 8080, specs[i].weight());
        servers.add(server);
        indexes.put(server, i);
        if (member[i]) {
          initial.add(server);
        }
      }
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public List<Server> servers() {
      return servers;
    }

    @Override
    public List<Server> initialMembers() {
      return initial;
    }

    @Override
    public int indexOf(Server server) {
      Integer i = indexes.get(server);
      if (i == null) {
        throw new IllegalArgumentException(
            "server: " + server + " (expected: one of client " + index + "'s servers)");
      }
      return i;
    }

    @Override
    public Ticker ticker() {
      return SimulationRun.this;
    }

    @Override
    public RandomGenerator random() {
      return random;
    }

    @Override
    public FleetView fleet() {
      return SimulationRun.this;
    }

    @Override
    public void schedule(long delayNanos, Runnable action) {
      SimulationRun.this.schedule(delayNanos, action);
    }
  }
}
