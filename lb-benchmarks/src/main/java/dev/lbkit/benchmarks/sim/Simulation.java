package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A seeded discrete-event simulation of client processes balancing requests over a fleet of
 * servers: the question "which algorithm keeps my tail low?" asked of your own fleet, traffic and
 * picker.
 *
 * <pre>{@code
 * ServerSpec fast = ServerSpec.processorSharing(ServiceTime.exponential(Duration.ofMillis(10)));
 * Simulation sim = Simulation.builder()
 *     .fleet(Fleet.builder().add(25, fast.weight(2)).add(25, fast.speed(0.5)).build())
 *     .clients(20)                                     // each its own balancer and view
 *     .arrivals(Arrivals.poisson(3_000))               // requests per second, all clients
 *     .policy(Policy.of(Algorithm.POWER_OF_TWO_CHOICES))
 *     .duration(Duration.ofSeconds(120))
 *     .warmup(Duration.ofSeconds(20))
 *     .build();
 * Results results = sim.run(5);                        // seeds 1 to 5
 * double p99Millis = results.p99().mean() / 1e6;
 * }</pre>
 *
 * <h2>The model</h2>
 *
 * Requests arrive as a Poisson process ({@link Arrivals}) from the start to {@link
 * Builder#duration}; each belongs to a client drawn uniformly at random. That client's {@link
 * Router} (one per client, made by the {@link Policy}) picks a member server; the request's work is
 * drawn from that server's {@link ServiceTime}, and the server holds it until it is done: FIFO or
 * processor sharing over its cores, at a speed that slowdowns, an antagonist or a warm-up may lower
 * (see {@link ServerSpec}). A server at its queue limit refuses the request at once. When a request
 * completes, its latency (arrival to completion) is recorded and its router told. The run goes on
 * until the last request has completed.
 *
 * <p>Requests that arrive before the {@link Builder#warmup} are served but not measured, nor is the
 * servers' utilization before it. A request succeeds when it is answered within {@link
 * Builder#successWithin}.
 *
 * <h2>Time and randomness</h2>
 *
 * Time is simulated: a long count of nanoseconds from the start of the run, never the wall clock;
 * it is the {@link dev.lbkit.core.Ticker} of every balancer. Events due at the same nanosecond run
 * in the order they were scheduled. Each seed splits into independent streams: arrivals (and which
 * client sends each), request work, each server's antagonist, and each client's own; so every
 * policy meets the same arrivals, antagonist periods and (for services that draw one value per
 * request) request sizes on a given seed, and a run gives the same numbers every time.
 *
 * <h2>Cost</h2>
 *
 * O(log e) per event for e events pending (a binary heap of primitive arrays), plus the policy's
 * pick; requests in flight live in primitive arrays indexed by call id, and latencies in a
 * constant-size histogram, so memory does not grow with the length of the run. About a million
 * requests a second of computer time with a simple policy on a 1,000-server fleet.
 *
 * <p>Immutable and reusable; each run is single-threaded, and separate runs may run on separate
 * threads.
 */
public final class Simulation {

  /** A subset of the requests, also summarized: see {@link Builder#window}. */
  static final class Window {
    private final long fromNanos;
    private final long untilNanos;
    private final int[] servers;

    Window(long fromNanos, long untilNanos, int[] servers) {
      this.fromNanos = fromNanos;
      this.untilNanos = untilNanos;
      this.servers = servers.clone();
    }

    long fromNanos() {
      return fromNanos;
    }

    long untilNanos() {
      return untilNanos;
    }

    /** The servers, none meaning all. */
    int[] servers() {
      return servers.clone();
    }
  }

  private final Fleet fleet;
  private final int clients;
  private final Arrivals arrivals;
  private final Policy policy;
  private final Duration duration;
  private final Duration warmup;
  private final Duration successWithin;
  private final @Nullable Window window;

  private Simulation(Builder b) {
    this.fleet = Objects.requireNonNull(b.fleet, "fleet");
    this.arrivals = Objects.requireNonNull(b.arrivals, "arrivals");
    this.policy = Objects.requireNonNull(b.policy, "policy");
    this.duration = Objects.requireNonNull(b.duration, "duration");
    this.clients = b.clients;
    this.warmup = b.warmup;
    this.successWithin = b.successWithin;
    this.window = b.window;
    if (warmup.compareTo(duration) >= 0) {
      throw new IllegalArgumentException(
          "warmup: " + warmup + " (expected: < duration, " + duration + ")");
    }
    if (window != null) {
      for (int i : window.servers()) {
        if (i < 0 || i >= fleet.size()) {
          throw new IllegalArgumentException(
              "window server: " + i + " (expected: 0.." + (fleet.size() - 1) + ")");
        }
      }
    }
  }

  /** Returns an empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this simulation's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.fleet = fleet;
    b.clients = clients;
    b.arrivals = arrivals;
    b.policy = policy;
    b.duration = duration;
    b.warmup = warmup;
    b.successWithin = successWithin;
    b.window = window;
    return b;
  }

  /** Returns this simulation with {@code policy} instead. */
  public Simulation with(Policy policy) {
    return toBuilder().policy(policy).build();
  }

  /** Runs once with {@code seed}. */
  public RunResult run(long seed) {
    return new SimulationRun(this, seed).run(seed);
  }

  /**
   * Runs with seeds 1 to {@code seeds}.
   *
   * @throws IllegalArgumentException if {@code seeds} is below 1
   */
  public Results run(int seeds) {
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds: " + seeds + " (expected: >= 1)");
    }
    List<RunResult> runs = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      runs.add(run(seed));
    }
    return new Results(this, runs);
  }

  public Fleet fleet() {
    return fleet;
  }

  public int clients() {
    return clients;
  }

  public Arrivals arrivals() {
    return arrivals;
  }

  public Policy policy() {
    return policy;
  }

  public Duration duration() {
    return duration;
  }

  public Duration warmup() {
    return warmup;
  }

  public Duration successWithin() {
    return successWithin;
  }

  @Nullable Window window() {
    return window;
  }

  /**
   * The offered load: the mean arrival rate over the fleet's capacity at nominal speed (servers
   * present from the start).
   */
  public double offeredLoad() {
    return arrivals.meanPerSecond() / fleet.capacityPerSecond();
  }

  /** Builds a {@link Simulation}; fleet, arrivals, policy and duration are required. */
  public static final class Builder {
    private @Nullable Fleet fleet;
    private int clients = 1;
    private @Nullable Arrivals arrivals;
    private @Nullable Policy policy;
    private @Nullable Duration duration;
    private Duration warmup = Duration.ZERO;
    private Duration successWithin = Duration.ofNanos(Long.MAX_VALUE);
    private @Nullable Window window;

    private Builder() {}

    /** Sets the servers. */
    public Builder fleet(Fleet fleet) {
      this.fleet = Objects.requireNonNull(fleet, "fleet");
      return this;
    }

    /**
     * Sets how many client processes send requests, each with its own router; 1 by default.
     *
     * @throws IllegalArgumentException if {@code clients} is below 1
     */
    public Builder clients(int clients) {
      if (clients < 1) {
        throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
      }
      this.clients = clients;
      return this;
    }

    /** Sets when requests arrive (all clients together). */
    public Builder arrivals(Arrivals arrivals) {
      this.arrivals = Objects.requireNonNull(arrivals, "arrivals");
      return this;
    }

    /** Sets the balancing algorithm. */
    public Builder policy(Policy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets how long requests arrive.
     *
     * @throws IllegalArgumentException if {@code duration} is not positive
     */
    public Builder duration(Duration duration) {
      this.duration = positive(duration, "duration");
      return this;
    }

    /**
     * Sets how long from the start requests are not measured; 0 by default.
     *
     * @throws IllegalArgumentException if {@code warmup} is negative
     */
    public Builder warmup(Duration warmup) {
      Objects.requireNonNull(warmup, "warmup");
      if (warmup.isNegative()) {
        throw new IllegalArgumentException("warmup: " + warmup + " (expected: >= 0)");
      }
      this.warmup = warmup;
      return this;
    }

    /**
     * Sets the latency within which a request succeeds; by default every answered request does.
     *
     * @throws IllegalArgumentException if {@code bound} is not positive
     */
    public Builder successWithin(Duration bound) {
      this.successWithin = positive(bound, "successWithin");
      return this;
    }

    /**
     * Also summarizes the measured requests that arrive from {@code from} to {@code until} and are
     * routed to one of {@code servers} (to any server if none is given): {@link
     * RunResult#window()}.
     *
     * @throws IllegalArgumentException if {@code until} is not after {@code from}
     */
    public Builder window(Duration from, Duration until, int... servers) {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(until, "until");
      if (until.compareTo(from) <= 0) {
        throw new IllegalArgumentException("until: " + until + " (expected: > from, " + from + ")");
      }
      this.window = new Window(from.toNanos(), until.toNanos(), servers.clone());
      return this;
    }

    /**
     * Returns the simulation.
     *
     * @throws NullPointerException if fleet, arrivals, policy or duration is not set
     * @throws IllegalArgumentException if the warm-up is not shorter than the duration
     */
    public Simulation build() {
      return new Simulation(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }
  }
}
