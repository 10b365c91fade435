package dev.lbkit.benchmarks;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * The facade's hot path {@link LoadBalancer#route} over {@code n} healthy servers: plain (round
 * robin), with a per-server rate limit that always has tokens (the rate and burst of {@link
 * RateLimiterBenchmark}, so the cost is the limiter's, not a refusal's), and with IP affinity
 * (requests rotate through 1,024 distinct client IPs), and by consistent hash over the default ring
 * (requests rotate through 1,024 distinct keys).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // built in setUp()
public class FacadeBenchmark {

  @Param({"10"})
  int n;

  private LoadBalancer plain;
  private LoadBalancer rateLimited;
  private LoadBalancer sticky;
  private LoadBalancer hashed;
  private Request[] clients;
  private Request[] keyed;

  /** A cursor over the client requests, one per benchmark thread. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  /** Builds the balancers over the same servers. */
  @Setup
  public void setUp() {
    List<Server> servers = Fixtures.servers(n);
    plain = new LoadBalancer(servers);
    rateLimited =
        LoadBalancer.builder(servers)
            .rateLimit(RateLimiterBenchmark.RATE, RateLimiterBenchmark.BURST)
            .build();
    sticky = LoadBalancer.builder(servers).sticky(true).build();
    clients = new Request[1 << 10];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = Request.builder().clientIp("10." + (i >> 8) + "." + (i & 255) + ".7").build();
    }
    hashed = LoadBalancer.builder(servers).algorithm(Algorithm.CONSISTENT_HASH).build();
    keyed = new Request[1 << 10];
    for (int i = 0; i < keyed.length; i++) {
      keyed[i] = Request.builder().key("user-" + Long.toHexString(i * 0x9E3779B97F4A7C15L)).build();
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

  /** {@code route} by consistent hash: each request's key goes to its server on the ring. */
  @Benchmark
  public Optional<Server> routeConsistentHash(Cursor cursor) {
    Request request = keyed[cursor.next++ & (keyed.length - 1)];
    return hashed.route(request);
  }
}
