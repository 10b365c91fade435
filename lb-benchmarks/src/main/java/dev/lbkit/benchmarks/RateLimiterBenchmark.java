package dev.lbkit.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.lbkit.core.Ticker;
import dev.lbkit.core.TokenBucket;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of taking one permit from a rate limiter that has one: lbkit's {@link
 * TokenBucket#tryAcquire()} beside three peers configured alike: each admits {@link #RATE} (10^9)
 * permits a second with a burst of one second's worth ({@link #BURST}).
 *
 * <ul>
 *   <li>{@link #guavaTryAcquire}: Guava's {@code RateLimiter.create(RATE).tryAcquire()} ({@code
 *       synchronized}; its burst is fixed at one second's worth).
 *   <li>{@link #bucket4jTryConsume}: Bucket4j's local bucket, {@code capacity(BURST)
 *       .refillGreedy(RATE, 1 s)}, {@code tryConsume(1)}; its defaults otherwise (lock-free, a
 *       millisecond clock).
 *   <li>{@link #resilience4jAcquirePermission}: Resilience4j's {@code AtomicRateLimiter}, {@code
 *       limitForPeriod(BURST)} per 1 s period, no timeout, {@code acquirePermission()}.
 * </ul>
 *
 * <p>The rate is far above what a benchmark thread can take (about 10^8 calls a second), so every
 * call is admitted and what is measured is the admit path, the one a healthy service runs: a clock
 * read and the update of the shared state. {@link #checkEveryCallWasAdmitted} fails the run if a
 * limiter ever ran dry. With two benchmark threads both take from the one shared limiter.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings({"NullAway.Init", "UnstableApiUsage"}) // built in setUp(); Guava's RateLimiter
public class RateLimiterBenchmark {

  /** Permits a second, for every limiter here and for {@code FacadeBenchmark}'s routes. */
  static final double RATE = 1e9;

  /** The burst: one second's worth of permits. */
  static final int BURST = 1_000_000_000;

  private TokenBucket tokenBucket;
  private RateLimiter guava;
  private Bucket bucket4j;
  private AtomicRateLimiter resilience4j;

  /** Builds the four limiters, full. */
  @Setup
  public void setUp() {
    tokenBucket = TokenBucket.create(RATE, BURST, Ticker.system());
    guava = RateLimiter.create(RATE);
    bucket4j =
        Bucket.builder()
            .addLimit(limit -> limit.capacity(BURST).refillGreedy(BURST, Duration.ofSeconds(1)))
            .build();
    resilience4j =
        new AtomicRateLimiter(
            "benchmark",
            RateLimiterConfig.custom()
                .limitForPeriod(BURST)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
  }

  /**
   * Fails the run if any limiter refuses a permit after the measurement: the rate was not high
   * enough for the benchmark to measure the admit path only.
   */
  @TearDown
  public void checkEveryCallWasAdmitted() {
    if (!(tokenBucketTryAcquire()
        && guavaTryAcquire()
        && bucket4jTryConsume()
        && resilience4jAcquirePermission())) {
      throw new IllegalStateException("a limiter ran dry: the benchmark measured refusals");
    }
  }

  /** lbkit's token bucket. */
  @Benchmark
  public boolean tokenBucketTryAcquire() {
    return tokenBucket.tryAcquire();
  }

  /** Peer: Guava's {@code RateLimiter}. */
  @Benchmark
  public boolean guavaTryAcquire() {
    return guava.tryAcquire();
  }

  /** Peer: Bucket4j's local bucket. */
  @Benchmark
  public boolean bucket4jTryConsume() {
    return bucket4j.tryConsume(1);
  }

  /** Peer: Resilience4j's {@code AtomicRateLimiter}. */
  @Benchmark
  public boolean resilience4jAcquirePermission() {
    return resilience4j.acquirePermission();
  }
}
