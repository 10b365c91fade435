package dev.lbkit.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The settings of {@link Algorithm#PREQUAL}: how servers are probed and how the probe pool is kept.
 * Immutable; build one with {@link #builder(LoadProbe)} and give it to {@link Prequal} or to {@link
 * LoadBalancer.Builder#prequal}.
 *
 * <table>
 *   <caption>Parameters and defaults</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code poolSize}</td><td>16</td><td>probe results kept at most (the paper's pool
 *       size)</td></tr>
 *   <tr><td>{@code probesPerRequest}</td><td>3</td><td>probes sent per pick, on average
 *       ({@code r_probe}); fractions accumulate</td></tr>
 *   <tr><td>{@code maxReuse}</td><td>2</td><td>picks one probe result may serve
 *       ({@code b_reuse})</td></tr>
 *   <tr><td>{@code maxAge}</td><td>1 s</td><td>age after which a result is dropped</td></tr>
 *   <tr><td>{@code rifQuantile}</td><td>0.84</td><td>{@code Q_RIF}: results whose RIF is below
 *       this quantile of the pool's RIFs are cold</td></tr>
 *   <tr><td>{@code executor}</td><td>{@link ForkJoinPool#commonPool()}</td><td>where probes are
 *       started</td></tr>
 * </table>
 *
 * <p>See {@code docs/algorithms.md} for where each default comes from.
 */
public final class PrequalConfig {

  /** The default pool size: 16 probe results. */
  public static final int DEFAULT_POOL_SIZE = 16;

  /** The default probing rate: 3 probes per pick. */
  public static final double DEFAULT_PROBES_PER_REQUEST = 3.0;

  /** The default reuse budget: a result serves at most 2 picks. */
  public static final int DEFAULT_MAX_REUSE = 2;

  /** The default age limit of a result: 1 second. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);

  /** The default hot-cold quantile {@code Q_RIF}: 0.84. */
  public static final double DEFAULT_RIF_QUANTILE = 0.84;

  /** The most probes started in one batch, whatever the accumulated rate asks for: 4 pools. */
  static final int MAX_BATCH_POOLS = 4;

  final LoadProbe probe;
  final int poolSize;
  final double probesPerRequest;
  final int maxReuse;
  final long maxAgeNanos;
  final double rifQuantile;
  final Executor executor;

  private PrequalConfig(Builder b) {
    this.probe = b.probe;
    this.poolSize = b.poolSize;
    this.probesPerRequest = b.probesPerRequest;
    this.maxReuse = b.maxReuse;
    this.maxAgeNanos = b.maxAge.toNanos();
    this.rifQuantile = b.rifQuantile;
    this.executor = b.executor;
  }

  /** Returns a builder of settings that probe servers with {@code probe}, defaults otherwise. */
  public static Builder builder(LoadProbe probe) {
    return new Builder(probe);
  }

  /** Returns settings that probe servers with {@code probe} and use every default. */
  public static PrequalConfig of(LoadProbe probe) {
    return builder(probe).build();
  }

  /** Returns the probe. */
  public LoadProbe probe() {
    return probe;
  }

  /** Returns the most probe results kept. */
  public int poolSize() {
    return poolSize;
  }

  /** Returns the probes sent per pick, on average. */
  public double probesPerRequest() {
    return probesPerRequest;
  }

  /** Returns the picks one probe result may serve. */
  public int maxReuse() {
    return maxReuse;
  }

  /** Returns the age after which a probe result is dropped. */
  public Duration maxAge() {
    return Duration.ofNanos(maxAgeNanos);
  }

  /** Returns the hot-cold quantile {@code Q_RIF}. */
  public double rifQuantile() {
    return rifQuantile;
  }

  /** Returns the executor probes are started on. */
  public Executor executor() {
    return executor;
  }

  @Override
  public String toString() {
    return "PrequalConfig{poolSize="
        + poolSize
        + ", probesPerRequest="
        + probesPerRequest
        + ", maxReuse="
        + maxReuse
        + ", maxAge="
        + maxAge()
        + ", rifQuantile="
        + rifQuantile
        + "}";
  }

  /** Builds {@link PrequalConfig}s; every setter checks its argument at once. */
  public static final class Builder {
    private final LoadProbe probe;
    private int poolSize = DEFAULT_POOL_SIZE;
    private double probesPerRequest = DEFAULT_PROBES_PER_REQUEST;
    private int maxReuse = DEFAULT_MAX_REUSE;
    private Duration maxAge = DEFAULT_MAX_AGE;
    private double rifQuantile = DEFAULT_RIF_QUANTILE;
    private Executor executor = ForkJoinPool.commonPool();

    private Builder(LoadProbe probe) {
      this.probe = Objects.requireNonNull(probe, "probe");
    }

    /**
     * Sets the most probe results kept; 16 by default.
     *
     * @throws IllegalArgumentException if {@code poolSize} is not in {@code 1..1024}
     */
    public Builder poolSize(int poolSize) {
      if (poolSize < 1 || poolSize > 1024) {
        throw new IllegalArgumentException("poolSize: " + poolSize + " (expected: 1..1024)");
      }
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Sets the probes sent per pick, on average; 3 by default. Below 1, probes go out every few
     * picks (0.25: one every fourth pick).
     *
     * @throws IllegalArgumentException if {@code probesPerRequest} is not in {@code (0, 64]}
     */
    public Builder probesPerRequest(double probesPerRequest) {
      if (!(probesPerRequest > 0 && probesPerRequest <= 64)) {
        throw new IllegalArgumentException(
            "probesPerRequest: " + probesPerRequest + " (expected: > 0 and <= 64)");
      }
      this.probesPerRequest = probesPerRequest;
      return this;
    }

    /**
     * Sets how many picks one probe result may serve; 2 by default. Each use also adds one to the
     * result's RIF, for the request it sent there.
     *
     * @throws IllegalArgumentException if {@code maxReuse} is below 1
     */
    public Builder maxReuse(int maxReuse) {
      if (maxReuse < 1) {
        throw new IllegalArgumentException("maxReuse: " + maxReuse + " (expected: >= 1)");
      }
      this.maxReuse = maxReuse;
      return this;
    }

    /**
     * Sets the age after which a probe result is dropped; 1 s by default.
     *
     * @throws IllegalArgumentException if {@code maxAge} is not positive
     */
    public Builder maxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: > 0 and <= 1 day)");
      }
      this.maxAge = maxAge;
      return this;
    }

    /**
     * Sets the hot-cold quantile {@code Q_RIF}; 0.84 by default. A probe result whose RIF is below
     * this quantile of the pool's RIFs is cold; 1.0 makes every result cold but those at the pool's
     * highest RIF.
     *
     * @throws IllegalArgumentException if {@code rifQuantile} is not in {@code (0, 1]}
     */
    public Builder rifQuantile(double rifQuantile) {
      if (!(rifQuantile > 0 && rifQuantile <= 1)) {
        throw new IllegalArgumentException(
            "rifQuantile: " + rifQuantile + " (expected: > 0 and <= 1)");
      }
      this.rifQuantile = rifQuantile;
      return this;
    }

    /**
     * Sets the executor probes are started on; the common fork-join pool by default. {@code
     * Runnable::run} starts them on the picking thread, which suits simulators and tests, not
     * servers.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Returns the settings. */
    public PrequalConfig build() {
      return new PrequalConfig(this);
    }
  }
}
