package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.Server;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One run: one scenario, one algorithm, one seed. Requests arrive as a Poisson process for the
 * scenario's duration; each draws its work, is routed, and completes when its backend says; the run
 * ends when the last one has completed, and every request's latency counts.
 */
final class SimulationRun {

  private final EventLoop loop = new EventLoop();
  private final Scenario scenario;
  private final Scenario.Backends backends;
  private final Policy.Router router;
  private final IdentityHashMap<Server, Integer> indexOf = new IdentityHashMap<>();
  private final RandomGenerator arrivals;
  private final RandomGenerator work;
  private final double meanGapNanos;
  private final long endNanos;
  private final LatencyLog log;

  private SimulationRun(Scenario scenario, Policy policy, long seed) {
    this.scenario = scenario;
    SplittableRandom root = new SplittableRandom(seed);
    this.arrivals = root.split();
    this.work = root.split();
    RandomGenerator picks = root.split();
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < scenario.backends(); i++) {
      Server server = new Server("backend-" + i, 8080);
      servers.add(server);
      indexOf.put(server, i);
    }
    this.backends = scenario.newBackends();
    this.router = policy.router(servers, loop, picks);
    this.meanGapNanos = 1e9 / scenario.requestsPerSecond();
    this.endNanos = scenario.duration().toNanos();
    this.log =
        new LatencyLog(
            (int) Math.min(1 << 26, 1.05 * scenario.requestsPerSecond() * endNanos / 1e9));
  }

  /** Runs {@code policy} on {@code scenario} with {@code seed} and summarizes the latencies. */
  static LatencySummary run(Scenario scenario, Policy policy, long seed) {
    SimulationRun run = new SimulationRun(scenario, policy, seed);
    run.scheduleNextArrival(0);
    run.loop.run();
    return run.log.summarize(scenario.successWithin().toNanos());
  }

  private void scheduleNextArrival(long after) {
    long next = after + Math.round(arrivals.nextExponential() * meanGapNanos);
    if (next < endNanos) {
      loop.at(next, this::arrive);
    }
  }

  private void arrive() {
    long now = loop.read();
    double requestWork = scenario.drawWork(work);
    Policy.Call call = router.open();
    int backend = Objects.requireNonNull(indexOf.get(call.server()), "backend index");
    long done = backends.completion(backend, now, requestWork);
    loop.at(
        done,
        () -> {
          call.close().run();
          log.add(done - now);
        });
    scheduleNextArrival(now);
  }
}
