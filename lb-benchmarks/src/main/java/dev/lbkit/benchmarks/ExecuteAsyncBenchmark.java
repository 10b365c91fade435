package dev.lbkit.benchmarks;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * What {@link LoadBalancer#executeAsync} costs over {@link LoadBalancer#execute} when the backend
 * call costs nothing: {@code execute} with a call returning a constant, {@code executeAsync} with a
 * call returning an already-completed stage (so the whole call runs on the benchmark thread, lease,
 * completion and all), and a bare {@code acquire} and {@code close} of a lease, the floor both
 * share. Round robin over {@code n} healthy servers, no limits, no listener. Run with {@code -prof
 * gc} for the bytes each allocates per call ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@SuppressWarnings("NullAway.Init") // built in setUp()
public class ExecuteAsyncBenchmark {

  @Param({"10"})
  int n;

  private LoadBalancer lb;
  private final Request request = Request.empty();

  /** An already-completed stage, shared: the call below captures nothing, so allocates nothing. */
  private static final CompletionStage<String> DONE = CompletableFuture.completedFuture("ok");

  /** Builds the balancer. */
  @Setup
  public void setUp() {
    List<Server> servers = Fixtures.servers(n);
    lb = new LoadBalancer(servers);
  }

  /** A lease taken and closed: the floor of both calls below. */
  @Benchmark
  public Server acquireAndClose() {
    var lease = lb.acquire(request);
    lease.close();
    return lease.server();
  }

  /** {@code execute} with a call that returns at once. */
  @Benchmark
  public String execute() {
    return lb.execute(request, server -> "ok");
  }

  /** {@code executeAsync} with a call whose stage is already complete, joined. */
  @Benchmark
  public String executeAsyncCompleted() {
    return lb.executeAsync(request, server -> DONE).join();
  }
}
