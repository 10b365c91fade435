package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One simulated server: the work its requests bring ({@link ServiceTime}), how many it serves at
 * once and how ({@link Discipline}, cores), the weight clients give it, an optional queue limit,
 * and how its speed changes over time (scheduled {@link Slowdown}s, an {@link Antagonist}, a
 * warm-up after it joins). Immutable: each {@code with}-style method returns a copy.
 *
 * <pre>{@code
 * ServerSpec fast = ServerSpec.processorSharing(ServiceTime.exponential(Duration.ofMillis(10)));
 * ServerSpec slow = fast.speed(0.5).weight(1);          // half as fast
 * ServerSpec jvm = fast.joinAt(Duration.ofSeconds(60))  // joins a minute in,
 *     .warmup(Duration.ofSeconds(30), 0.1);              // at 10% speed for 30 s
 * }</pre>
 */
public final class ServerSpec {

  /** The cores of a server with no limit: every request is served as soon as it arrives. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  private final ServiceTime serviceTime;
  private final Discipline discipline;
  private final int cores;
  private final double speed;
  private final int weight;
  private final int queueLimit;
  private final List<Slowdown> slowdowns;
  private final @Nullable Antagonist antagonist;
  private final Duration joinAt;

  private ServerSpec(
      ServiceTime serviceTime,
      Discipline discipline,
      int cores,
      double speed,
      int weight,
      int queueLimit,
      List<Slowdown> slowdowns,
      @Nullable Antagonist antagonist,
      Duration joinAt) {
    this.serviceTime = Objects.requireNonNull(serviceTime, "serviceTime");
    this.discipline = Objects.requireNonNull(discipline, "discipline");
    this.cores = cores;
    this.speed = speed;
    this.weight = weight;
    this.queueLimit = queueLimit;
    this.slowdowns = List.copyOf(slowdowns);
    this.antagonist = antagonist;
    this.joinAt = joinAt;
  }

  /** A single-core FIFO server: a queue served one request at a time, at speed 1, weight 1. */
  public static ServerSpec fifo(ServiceTime serviceTime) {
    return new ServerSpec(
        serviceTime, Discipline.FIFO, 1, 1, 1, UNLIMITED, List.of(), null, Duration.ZERO);
  }

  /** A single-core processor-sharing server, at speed 1, weight 1. */
  public static ServerSpec processorSharing(ServiceTime serviceTime) {
    return fifo(serviceTime).discipline(Discipline.PROCESSOR_SHARING);
  }

  /**
   * A server with unlimited cores: every request takes its own work, whatever the load (an
   * infinite-server queue, or a backend whose latency does not depend on its load).
   */
  public static ServerSpec unlimited(ServiceTime serviceTime) {
    return fifo(serviceTime).cores(UNLIMITED);
  }

  /** Returns a copy with {@code discipline}. */
  public ServerSpec discipline(Discipline discipline) {
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, queueLimit, slowdowns, antagonist, joinAt);
  }

  /**
   * Returns a copy with {@code cores} cores ({@link #UNLIMITED} for no limit).
   *
   * @throws IllegalArgumentException if {@code cores} is below 1
   */
  public ServerSpec cores(int cores) {
    if (cores < 1) {
      throw new IllegalArgumentException("cores: " + cores + " (expected: >= 1)");
    }
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, queueLimit, slowdowns, antagonist, joinAt);
  }

  /**
   * Returns a copy with nominal speed {@code speed} (1 serves one nanosecond of work per
   * nanosecond; 0.5 is twice as slow).
   *
   * @throws IllegalArgumentException if {@code speed} is not positive and finite
   */
  public ServerSpec speed(double speed) {
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new IllegalArgumentException("speed: " + speed + " (expected: > 0, finite)");
    }
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, queueLimit, slowdowns, antagonist, joinAt);
  }

  /**
   * Returns a copy whose {@code dev.lbkit.core.Server}s have weight {@code weight}.
   *
   * @throws IllegalArgumentException if {@code weight} is below 1
   */
  public ServerSpec weight(int weight) {
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
    }
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, queueLimit, slowdowns, antagonist, joinAt);
  }

  /**
   * Returns a copy that refuses a request arriving while it holds {@code limit} (a failure with no
   * latency, as a full accept queue answers at once).
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  public ServerSpec queueLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("queueLimit: " + limit + " (expected: >= 1)");
    }
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, limit, slowdowns, antagonist, joinAt);
  }

  /** Returns a copy that also slows down as {@code slowdown} says. */
  public ServerSpec slowdown(Slowdown slowdown) {
    Objects.requireNonNull(slowdown, "slowdown");
    List<Slowdown> all = new ArrayList<>(slowdowns);
    all.add(slowdown);
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, queueLimit, all, antagonist, joinAt);
  }

  /** Returns a copy slowed by {@code antagonist} (replacing any other). */
  public ServerSpec antagonist(Antagonist antagonist) {
    Objects.requireNonNull(antagonist, "antagonist");
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, queueLimit, slowdowns, antagonist, joinAt);
  }

  /**
   * Returns a copy that joins the clients' balancers at {@code at} (simulated time from the start
   * of the run); before that no client knows it.
   *
   * @throws IllegalArgumentException if {@code at} is negative
   */
  public ServerSpec joinAt(Duration at) {
    Objects.requireNonNull(at, "at");
    if (at.isNegative()) {
      throw new IllegalArgumentException("joinAt: " + at + " (expected: >= 0)");
    }
    return new ServerSpec(
        serviceTime, discipline, cores, speed, weight, queueLimit, slowdowns, antagonist, at);
  }

  /**
   * Returns a copy that runs at {@code factor} of its speed for {@code length} after it joins (as a
   * JVM runs cold code), set with {@link #joinAt} first.
   */
  public ServerSpec warmup(Duration length, double factor) {
    Objects.requireNonNull(length, "length");
    return slowdown(new Slowdown(joinAt, joinAt.plus(length), factor));
  }

  public ServiceTime serviceTime() {
    return serviceTime;
  }

  public Discipline discipline() {
    return discipline;
  }

  /** The cores, {@link #UNLIMITED} for no limit. */
  public int cores() {
    return cores;
  }

  /** The nominal speed. */
  public double speed() {
    return speed;
  }

  public int weight() {
    return weight;
  }

  /** The most requests it holds before it refuses more; {@link #UNLIMITED} by default. */
  public int queueLimit() {
    return queueLimit;
  }

  public List<Slowdown> slowdowns() {
    return slowdowns;
  }

  public @Nullable Antagonist antagonist() {
    return antagonist;
  }

  public Duration joinAt() {
    return joinAt;
  }

  /**
   * The requests per second it completes at full load and nominal speed: cores x speed / mean work;
   * infinite with unlimited cores.
   */
  public double capacityPerSecond() {
    if (cores == UNLIMITED) {
      return Double.POSITIVE_INFINITY;
    }
    return cores * speed * 1e9 / serviceTime.meanNanos();
  }

  @Override
  public String toString() {
    return discipline
        + "(cores "
        + (cores == UNLIMITED ? "unlimited" : cores)
        + ", speed "
        + speed
        + ", weight "
        + weight
        + ", "
        + serviceTime
        + ")";
  }
}
