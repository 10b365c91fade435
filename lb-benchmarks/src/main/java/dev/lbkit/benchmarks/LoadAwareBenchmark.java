package dev.lbkit.benchmarks;

import dev.lbkit.core.LoadReport;
import dev.lbkit.core.Prequal;
import dev.lbkit.core.PrequalConfig;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.RoundRobin;
import dev.lbkit.core.Server;
import dev.lbkit.core.SlowStart;
import dev.lbkit.core.Ticker;
import dev.lbkit.core.WeightedLeastRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one pick of the load-aware pickers of issue 15 beside {@link RoundRobin} in the same
 * run, over {@code n} healthy servers:
 *
 * <ul>
 *   <li>{@link #roundRobin}: the baseline, one shared atomic increment.
 *   <li>{@link #prequal}: Prequal at its defaults (pool 16, 3 probes per pick, reuse 2); probes
 *       start on one background thread and are answered at once, so the pool stays full of fresh
 *       results while the benchmark thread picks. The pick itself: the hot-cold rule over the pool,
 *       a hash look-up, an atomic add.
 *   <li>{@link #prequalInlineProbes}: the same with {@code executor(Runnable::run)}, as a simulator
 *       runs it: the pick thread also starts the probes and files their answers (allocating).
 *   <li>{@link #weightedLeastRequestEqualWeights}: Envoy's least request with equal weights, power
 *       of two choices.
 *   <li>{@link #weightedLeastRequestWeighted}: with weights 1..10, the O(n) draw by {@code weight /
 *       (active + 1)}.
 *   <li>{@link #weightedLeastRequestSlowStart}: equal weights with one server in a slow start that
 *       never ends, so every pick is the O(n) draw with ramp factors.
 * </ul>
 *
 * Run: {@code java -jar lb-benchmarks/target/benchmarks.jar LoadAwareBenchmark -f 1 -wi 2 -i 3
 * -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // the pickers are built in setUp()
public class LoadAwareBenchmark {

  @Param({"10", "100"})
  int n;

  private RoundRobin roundRobin;
  private Prequal prequal;
  private Prequal prequalInline;
  private WeightedLeastRequest equalWeights;
  private WeightedLeastRequest weighted;
  private WeightedLeastRequest slowStart;
  private ExecutorService probeThread;

  /** Builds every picker over its own {@code n} servers. */
  @Setup
  public void setUp() {
    roundRobin = new RoundRobin(Fixtures.servers(n));
    probeThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "probes");
              t.setDaemon(true);
              return t;
            });
    prequal = new Prequal(Fixtures.servers(n), config().executor(probeThread).build());
    prequalInline = new Prequal(Fixtures.servers(n), config().executor(Runnable::run).build());
    equalWeights = new WeightedLeastRequest(Fixtures.servers(n));
    weighted = new WeightedLeastRequest(Fixtures.weightedServers(n, Fixtures.SEED));
    List<Server> servers = Fixtures.servers(n);
    slowStart =
        new WeightedLeastRequest(
            servers.subList(0, n - 1),
            1.0,
            SlowStart.of(Duration.ofDays(1)),
            Ticker.system(),
            RandomSources.threadLocal());
    slowStart.setServers(new ArrayList<>(servers)); // the last one joins: ramps for a day
  }

  /** Stops the probe thread. */
  @TearDown
  public void tearDown() throws InterruptedException {
    probeThread.shutdownNow();
    probeThread.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Answers every probe at once: RIF 0 to 7 from the server id's hash, (RIF + 1) ms. */
  private static PrequalConfig.Builder config() {
    return PrequalConfig.builder(
        server -> {
          int h = server.id().hashCode() & 7;
          return CompletableFuture.completedFuture(new LoadReport(h, (h + 1) * 1_000_000L));
        });
  }

  /** Baseline: one round-robin pick. */
  @Benchmark
  public @Nullable Server roundRobin() {
    return roundRobin.next();
  }

  /** One Prequal pick, probes on a background thread. */
  @Benchmark
  public @Nullable Server prequal() {
    return prequal.next();
  }

  /** One Prequal pick that also starts its probes and files their answers. */
  @Benchmark
  public @Nullable Server prequalInlineProbes() {
    return prequalInline.next();
  }

  /** One least-request pick, equal weights: power of two choices. */
  @Benchmark
  public @Nullable Server weightedLeastRequestEqualWeights() {
    return equalWeights.next();
  }

  /** One least-request pick, weights 1..10: the O(n) draw. */
  @Benchmark
  public @Nullable Server weightedLeastRequestWeighted() {
    return weighted.next();
  }

  /** One least-request pick while a server ramps in a slow start: the O(n) draw with factors. */
  @Benchmark
  public @Nullable Server weightedLeastRequestSlowStart() {
    return slowStart.next();
  }
}
