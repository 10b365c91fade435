package dev.lbkit.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.ServerPicker;
import dev.lbkit.core.Ticker;
import dev.lbkit.core.TokenBucket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The facade's hot paths over {@code n} healthy servers: {@link LoadBalancer#route} plain (round
 * robin), with a per-server rate limit that always has tokens (so the cost is the limiter's, not a
 * refusal's), and with IP affinity (requests rotate through 1,024 distinct client IPs); a power of
 * two choices pick; and a token bucket's {@code tryAcquire} beside Guava's {@link RateLimiter} (a
 * peer: {@code synchronized}, reads {@code System.nanoTime()} like ours).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings({"NullAway.Init", "UnstableApiUsage"}) // built in setUp(); Guava's RateLimiter
public class FacadeBenchmark {

  /** A rate no benchmark run can exhaust, with a burst as large: every acquire succeeds. */
  private static final double UNLIMITED_RATE = 1e9;

  private static final long HUGE_BURST = 1L << 40;

  @Param({"10"})
  int n;

  private LoadBalancer plain;
  private LoadBalancer rateLimited;
  private LoadBalancer sticky;
  private ServerPicker powerOfTwo;
  private TokenBucket tokenBucket;
  private RateLimiter guavaRateLimiter;
  private Request[] clients;

  /** A cursor over the client requests, one per benchmark thread. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  /** Builds the balancers and limiters over the same servers. */
  @Setup
  public void setUp() {
    List<Server> servers = Fixtures.servers(n);
    plain = new LoadBalancer(servers);
    rateLimited = LoadBalancer.builder(servers).rateLimit(UNLIMITED_RATE, HUGE_BURST).build();
    sticky = LoadBalancer.builder(servers).sticky(true).build();
    powerOfTwo = ServerPicker.powerOfChoices(servers, 2, RandomSources.threadLocal());
    tokenBucket = TokenBucket.create(UNLIMITED_RATE, HUGE_BURST, Ticker.system());
    guavaRateLimiter = RateLimiter.create(UNLIMITED_RATE);
    clients = new Request[1 << 10];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = Request.builder().clientIp("10." + (i >> 8) + "." + (i & 255) + ".7").build();
    }
  }

  /** {@code route} with round robin, no affinity, no limits. */
  @Benchmark
  public Optional<Server> routePlain() {
    return plain.route(Request.empty());
  }

  /** {@code route} with a per-server token bucket that always has a token. */
  @Benchmark
  public Optional<Server> routeRateLimited() {
    return rateLimited.route(Request.empty());
  }

  /** {@code route} with {@code sticky(true)}: the client IP on the consistent hash ring. */
  @Benchmark
  public Optional<Server> routeStickyIp(Cursor cursor) {
    Request request = clients[cursor.next++ & (clients.length - 1)];
    return sticky.route(request);
  }

  /** The less loaded of two random healthy servers. */
  @Benchmark
  public @Nullable Server powerOfTwoChoices() {
    return powerOfTwo.next();
  }

  /** {@link TokenBucket#tryAcquire()} on a bucket that always has a token. */
  @Benchmark
  public boolean tokenBucketTryAcquire() {
    return tokenBucket.tryAcquire();
  }

  /** Guava's {@code RateLimiter.tryAcquire()} at the same rate: the peer. */
  @Benchmark
  public boolean guavaTryAcquire() {
    return guavaRateLimiter.tryAcquire();
  }
}
