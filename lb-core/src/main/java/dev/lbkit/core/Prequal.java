package dev.lbkit.core;

import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Google's Prequal (Wydrowski, Kleinberg, Rumble, Archer, NSDI 2024) as a standalone picker: it
 * asks servers for their requests in flight (RIF) and latency with asynchronous, reusable probes,
 * and picks by the hot-cold lexicographic rule. Servers answer probes from a {@link LoadReporter};
 * the client's {@link LoadProbe} carries the question and the answer.
 *
 * <p>It keeps a pool of at most {@link PrequalConfig#poolSize()} probe results. On each pick, the
 * results whose RIF is below the {@link PrequalConfig#rifQuantile() Q_RIF} quantile of the pool are
 * cold, and the cold one with the lowest latency estimate wins; if all are hot, the lowest RIF
 * wins. A result serves at most {@link PrequalConfig#maxReuse()} picks (each one adds a request to
 * its RIF) and none after {@link PrequalConfig#maxAge()}. With the pool empty (at start, or after a
 * quiet spell) the pick is a uniformly random healthy server. Each pick also earns {@link
 * PrequalConfig#probesPerRequest()} probes, started on the configured executor, to uniformly random
 * healthy servers; their answers enter the pool as they arrive.
 *
 * <p>{@link #next()}: lock-free, no allocation; O(k^2) int reads for a pool of k results (256 at
 * the default 16), one hash look-up, one atomic add, and, when a probe is due and none is being
 * started, one hand-off to the executor. Thread-safe; the probe runs on the executor's threads,
 * never under a lock.
 */
public final class Prequal extends PolicyPicker {

  private final PrequalPolicy prequal;

  /**
   * Creates a Prequal picker over {@code servers}, timed by the system ticker and drawing from
   * {@link RandomSources#threadLocal()}.
   *
   * @throws NullPointerException if an argument or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public Prequal(List<Server> servers, PrequalConfig config) {
    this(servers, config, Ticker.system(), RandomSources.threadLocal());
  }

  /**
   * Creates a Prequal picker over {@code servers} with its own ticker (probe ages) and random
   * source (probe targets, and picks while the pool is empty); the random source must be
   * thread-safe if the picker is shared by threads.
   *
   * @throws NullPointerException if an argument or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public Prequal(
      List<Server> servers, PrequalConfig config, Ticker ticker, RandomGenerator random) {
    this(servers, new PrequalPolicy(config, ticker, random));
  }

  private Prequal(List<Server> servers, PrequalPolicy policy) {
    super(servers, policy);
    this.prequal = policy;
  }

  /** Returns a healthy server chosen from the probe pool, or null when none is healthy. */
  @Override
  public @Nullable Server next() {
    return super.next();
  }

  /** Returns the number of probe results in the pool now, expired ones not counted. */
  public int pooledProbes() {
    return prequal.poolSize();
  }

  /** Returns the number of probes started so far. */
  public long probesSent() {
    return prequal.probesSent();
  }

  /** Returns the number of probes that threw, returned null or completed exceptionally so far. */
  public long probesFailed() {
    return prequal.probesFailed();
  }
}
