package dev.lbkit.examples;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.RetryBudget;
import dev.lbkit.core.Server;
import dev.lbkit.core.Stats;
import dev.lbkit.core.Ticker;
import dev.lbkit.examples.demo.BackendTable;
import dev.lbkit.examples.demo.DemoBackend;
import dev.lbkit.examples.demo.Traffic;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.Probe;
import dev.lbkit.health.ProbeResult;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The README's demo: four real HTTP backends on loopback, traffic from eight HTTP clients sent
 * through lbkit's {@link LoadBalancer} with every {@link Algorithm}, an lbkit {@link HealthChecker}
 * probing {@code GET /health}, and one backend killed midway and brought back.
 *
 * <ol>
 *   <li><b>Balancing.</b> A few seconds of traffic per algorithm, then a table per backend:
 *       requests, share, calls in flight, errors, p50 and p99. One backend is slow and one has
 *       weight 3, so the algorithms visibly differ.
 *   <li><b>Failover.</b> Round robin with traffic running: backend-2's HTTP server is stopped; the
 *       calls that hit it fail and {@link LoadBalancer#execute} retries them on another backend, so
 *       every request is still answered; the health checker marks it down after two failed probes
 *       and the balancer stops sending it anything; it is restarted, marked up after two passed
 *       probes, and takes its share again. A table is printed every few seconds as it happens, and
 *       a summary at the end.
 * </ol>
 *
 * <p>Run it with {@code mvn -B -q install -DskipTests && mvn -B -q -pl lb-examples exec:java}
 * (about 35 s), or with {@code -Ddemo.args=--short} for a run of a few seconds (what CI runs). It
 * exits by itself: every thread it starts is stopped, or a daemon.
 */
public final class Demo {

  private static final Ticker CLOCK = Ticker.system();
  private static final int CLIENTS = 8;
  private static final Duration THINK = Duration.ofMillis(2);
  private static final Duration TICK = Duration.ofMillis(20);

  /**
   * How long after the failover loop sees the victim marked down it counts the requests so far:
   * time for picks made just before the flip (a client preempted between its pick and its count) to
   * be counted, so that they are not taken for picks of a server marked down.
   */
  private static final Duration SETTLE = Duration.ofMillis(200);

  private static final int KEYS = 50;

  /**
   * How long each part of the demo runs, and how often the health checker probes.
   *
   * @param perAlgorithm traffic per algorithm in the balancing part
   * @param beforeKill failover part: traffic before backend-2 is killed
   * @param killedFor how long backend-2 stays down
   * @param afterRestart traffic after it is restarted
   * @param tableEvery how often the failover part prints its table
   * @param probeInterval the health checker's interval
   */
  public record Pace(
      Duration perAlgorithm,
      Duration beforeKill,
      Duration killedFor,
      Duration afterRestart,
      Duration tableEvery,
      Duration probeInterval) {

    /** The README's run: about 35 seconds. */
    public static final Pace NORMAL =
        new Pace(
            Duration.ofMillis(2_500),
            Duration.ofSeconds(4),
            Duration.ofSeconds(6),
            Duration.ofSeconds(5),
            Duration.ofMillis(2_500),
            Duration.ofMillis(250));

    /**
     * A run of a few seconds, for CI ({@code --short}). Probes every 300 ms: a healthy backend on a
     * busy machine must miss two in a row to be marked down, and the restarted one has time to pass
     * two and take traffic again.
     */
    public static final Pace SHORT =
        new Pace(
            Duration.ofMillis(350),
            Duration.ofMillis(800),
            Duration.ofMillis(1_500),
            Duration.ofMillis(2_000),
            Duration.ofMillis(700),
            Duration.ofMillis(300));
  }

  private Demo() {}

  /**
   * Runs the demo: {@code --short} for the short run; {@code --help} prints the usage.
   *
   * @throws IllegalArgumentException on any other argument
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    if (List.of(args).contains("--help")) {
      System.out.println("usage: Demo [--short]   (--short: a run of a few seconds)");
      return;
    }
    // The JDK's HTTP server writes a response's headers and body in two packets; with Nagle's
    // algorithm on, the second waits for the client's delayed ACK, some 40 ms. Off, before any
    // server starts (the JDK reads it once).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    run(pace(args), System.out);
  }

  /**
   * Returns the pace that {@code args} ask for: none for {@link Pace#NORMAL}, {@code --short} for
   * {@link Pace#SHORT}.
   *
   * @throws IllegalArgumentException on any other argument
   */
  public static Pace pace(String... args) {
    Pace pace = Pace.NORMAL;
    for (String arg : args) {
      if (!arg.equals("--short")) {
        throw new IllegalArgumentException("argument: " + arg + " (expected: --short or none)");
      }
      pace = Pace.SHORT;
    }
    return pace;
  }

  /**
   * Runs the demo at {@code pace}, printing to {@code out} as it goes.
   *
   * @throws IOException if a backend cannot bind a loopback port
   */
  public static void run(Pace pace, PrintStream out) throws IOException, InterruptedException {
    Objects.requireNonNull(pace, "pace");
    Objects.requireNonNull(out, "out");
    long start = CLOCK.read();
    List<DemoBackend> backends = new ArrayList<>();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    Probe probe =
        Probe.http("/health", body -> body.contains("\"status\":\"ok\""), DemoBackend::inFlightOf);
    try (HealthChecker checker =
        HealthChecker.builder()
            .interval(pace.probeInterval())
            .timeout(pace.probeInterval())
            .unhealthyThreshold(2)
            .healthyThreshold(2)
            .probe(probe)
            .build()) {
      backends.add(DemoBackend.start("backend-1", Duration.ofMillis(2), 3));
      backends.add(DemoBackend.start("backend-2", Duration.ofMillis(2), 1));
      backends.add(DemoBackend.start("backend-3", Duration.ofMillis(2), 1));
      backends.add(DemoBackend.start("backend-4", Duration.ofMillis(12), 1));
      List<Server> servers = backends.stream().map(DemoBackend::server).toList();
      warmUp(probe, http, servers);
      Map<Server, String> names = new LinkedHashMap<>();
      backends.forEach(b -> names.put(b.server(), b.name()));
      checker.onTransition(
          (server, from, to, result) ->
              out.printf(
                  "[%5.1f s] health check: %s is %s (%s)%n",
                  seconds(CLOCK.read() - start),
                  names.get(server),
                  to.healthy() ? "UP after 2 passed probes" : "DOWN after 2 failed probes",
                  to.healthy() ? "GET /health answered 200" : result.reason()));
      checker.watch(servers);
      checker.start();
      intro(pace, backends, out);
      balancing(pace, backends, http, out);
      failover(pace, backends, http, out, start);
    } finally {
      backends.forEach(DemoBackend::close);
    }
    out.printf("%ndone in %.1f s%n", seconds(CLOCK.read() - start));
  }

  private static void intro(Pace pace, List<DemoBackend> backends, PrintStream out) {
    out.printf(
        "lbkit demo: %d HTTP backends on loopback, %d HTTP clients, every request sent through"
            + " LoadBalancer.execute()%n",
        backends.size(), CLIENTS);
    out.printf(
        "health checks: GET /health every %d ms; DOWN after 2 failed probes, UP after 2 passed%n%n",
        pace.probeInterval().toMillis());
    out.println("  backend-1  " + backends.get(0).server().id() + "  weight 3  ~2 ms a request");
    out.println("  backend-2  " + backends.get(1).server().id() + "  weight 1  ~2 ms");
    out.println("  backend-3  " + backends.get(2).server().id() + "  weight 1  ~2 ms");
    out.println("  backend-4  " + backends.get(3).server().id() + "  weight 1  ~12 ms (slow)");
  }

  // ---------------------------------------------------------------- part 1

  private static void balancing(
      Pace pace, List<DemoBackend> backends, HttpClient http, PrintStream out)
      throws InterruptedException {
    out.printf(
        "%n== 1. Balancing: %.1f s of traffic with each algorithm ==%n",
        pace.perAlgorithm().toNanos() / 1e9);
    List<Server> servers = backends.stream().map(DemoBackend::server).toList();
    for (Algorithm algorithm : Algorithm.values()) {
      if (algorithm == Algorithm.PREQUAL) {
        continue; // needs a probe of the backends' load, which the demo backends do not serve yet
      }
      LoadBalancer lb = balancer(servers, algorithm);
      boolean keyed = algorithm == Algorithm.CONSISTENT_HASH;
      IntFunction<Request> requests =
          keyed
              ? n ->
                  Request.builder().key("user-" + ThreadLocalRandom.current().nextInt(KEYS)).build()
              : n -> Request.empty();
      Traffic traffic = Traffic.start(http, lb, CLIENTS, THINK, requests);
      pause(pace.perAlgorithm());
      Traffic.Result result = traffic.stop();
      out.printf("%n%s: %s%n", algorithm, describe(algorithm));
      out.print(BackendTable.render(backends, lb.stats(), null));
      out.printf(
          "  %d requests sent, %d answered, %d failed%n",
          result.sent(), result.answered(), result.failed());
      if (keyed) {
        keys(result.backendsByKey(), out);
      }
      if (result.firstFailure() != null) {
        out.println("  first failure: " + result.firstFailure());
      }
    }
  }

  private static String describe(Algorithm algorithm) {
    switch (algorithm) {
      case ROUND_ROBIN:
        return "in strict turn, so equal shares, the slow backend-4 included";
      case WEIGHTED_ROUND_ROBIN:
        return "smooth weighted turns: backend-1 (weight 3) half, the others a sixth each";
      case LEAST_CONNECTIONS:
        return "the backend with the fewest calls in flight: the slow backend-4 gets fewer";
      case RANDOM:
        return "a uniformly random backend: about a quarter each";
      case POWER_OF_TWO_CHOICES:
        return "the less busy of two random backends: the slow backend-4 tends to get fewer";
      case LEAST_LOADED:
        return "the lowest load its health probe reported (calls in flight), then fewest"
            + " connections";
      case CONSISTENT_HASH:
        return "by key on a hash ring: " + KEYS + " user ids, each always on the same backend";
      case PEAK_EWMA:
        return "the lower latency estimate x calls in flight of two random backends: the slow"
            + " backend-4 gets the fewest";
      case WEIGHTED_LEAST_REQUEST:
        return "weight / (calls in flight + 1) of all backends, a draw in proportion: backend-1"
            + " (weight 3) most, the slow backend-4 fewer";
      case PREQUAL:
        return "the cold backend with the lowest latency its probes reported";
    }
    return "";
  }

  private static void keys(Map<String, Set<String>> backendsByKey, PrintStream out) {
    long pinned = backendsByKey.values().stream().filter(b -> b.size() == 1).count();
    Map<String, Integer> keysPerBackend = new TreeMap<>();
    backendsByKey.values().stream()
        .filter(b -> b.size() == 1)
        .forEach(b -> keysPerBackend.merge(b.iterator().next(), 1, Integer::sum));
    out.printf(
        "  %d keys seen, %d of them always answered by one and the same backend (keys per"
            + " backend: %s)%n",
        backendsByKey.size(), pinned, keysPerBackend);
  }

  // ---------------------------------------------------------------- part 2

  private static void failover(
      Pace pace, List<DemoBackend> backends, HttpClient http, PrintStream out, long demoStart)
      throws IOException, InterruptedException {
    DemoBackend victim = backends.get(1);
    out.printf(
        "%n== 2. Failover: ROUND_ROBIN; %s is killed after %.1f s and restarted %.1f s later ==%n",
        victim.name(), pace.beforeKill().toNanos() / 1e9, pace.killedFor().toNanos() / 1e9);
    LoadBalancer lb =
        balancer(backends.stream().map(DemoBackend::server).toList(), Algorithm.ROUND_ROBIN);
    long start = CLOCK.read();
    long killAt = start + pace.beforeKill().toNanos();
    long restartAt = killAt + pace.killedFor().toNanos();
    long endAt = restartAt + pace.afterRestart().toNanos();
    long nextTable = start + pace.tableEvery().toNanos();
    Long downSeenAt = null; // when this loop first saw the victim marked DOWN, then UP
    Long upSeenAt = null;
    Map<String, Long> previous = new LinkedHashMap<>();
    Map<String, Long> atDown = null; // requests per server once the balancer saw the victim down
    Map<String, Long> atRestart = null;
    Traffic traffic = Traffic.start(http, lb, CLIENTS, THINK, n -> Request.empty());
    for (long now = CLOCK.read(); now - endAt < 0; now = CLOCK.read()) {
      if (victim.isUp() && atRestart == null && now - killAt >= 0) {
        // Printed first: the health checker's DOWN line, from its own thread, must come after it.
        out.printf(
            "[%5.1f s] KILL %s: its HTTP server is stopped; calls to it are refused or cut%n",
            seconds(now - demoStart), victim.name());
        victim.kill();
      }
      if (!victim.isUp() && atDown == null && !victim.server().isHealthy()) {
        if (downSeenAt == null) {
          downSeenAt = now; // snapshot on a later tick, once picks made before the flip are in
        } else if (now - downSeenAt >= SETTLE.toNanos()) {
          atDown = lb.stats().requestsPerServer();
        }
      }
      if (!victim.isUp() && atRestart == null && now - restartAt >= 0) {
        atRestart = lb.stats().requestsPerServer();
        out.printf( // before the restart, as the KILL line: the UP line must come after it
            "[%5.1f s] RESTART %s on the same port %d%n",
            seconds(CLOCK.read() - demoStart), victim.name(), victim.server().port());
        victim.restart();
      }
      if (atRestart != null && upSeenAt == null && victim.server().isHealthy()) {
        upSeenAt = now;
      }
      if (now - nextTable >= 0) {
        Stats stats = lb.stats();
        out.printf(
            "[%5.1f s]%n%s",
            seconds(now - demoStart), BackendTable.render(backends, stats, previous));
        previous = stats.requestsPerServer();
        nextTable += pace.tableEvery().toNanos();
      }
      LockSupport.parkNanos(TICK.toNanos());
    }
    Traffic.Result result = traffic.stop();
    Stats end = lb.stats();
    out.printf(
        "[%5.1f s] traffic stopped%n%s",
        seconds(CLOCK.read() - demoStart), BackendTable.render(backends, end, previous));
    summary(
        backends,
        victim,
        result,
        end,
        atDown,
        atRestart,
        downSeenAt == null ? null : downSeenAt - killAt,
        upSeenAt == null ? null : upSeenAt - restartAt,
        out);
  }

  private static void summary(
      List<DemoBackend> backends,
      DemoBackend victim,
      Traffic.Result result,
      Stats end,
      @Nullable Map<String, Long> atDown,
      @Nullable Map<String, Long> atRestart,
      @Nullable Long downAfter,
      @Nullable Long upAfter,
      PrintStream out) {
    String id = victim.server().id();
    out.printf("%nSummary of the failover%n");
    out.printf(
        "  requests: %d sent, %d answered, %d failed%n",
        result.sent(), result.answered(), result.failed());
    if (result.firstFailure() != null) {
      out.println("  first failure: " + result.firstFailure());
    }
    out.printf(
        "  %s: %d calls to it failed (refused or cut)%s%n",
        victim.name(),
        Objects.requireNonNull(end.servers().get(id)).errors(),
        result.failed() == 0 ? "; execute() retried each on another backend" : "");
    if (atDown == null || atRestart == null || downAfter == null) {
      out.printf("  %s was never marked DOWN while it was killed%n", victim.name());
      return;
    }
    out.printf(
        "  %s marked DOWN %.2f s after the kill, %s%n",
        victim.name(),
        seconds(downAfter),
        upAfter == null
            ? "and not yet UP again at the end"
            : String.format("UP %.2f s after the restart", seconds(upAfter)));
    out.printf(
        "  routed to %s while it was marked DOWN: %d%n",
        victim.name(), delta(atRestart, atDown, id));
    StringBuilder others = new StringBuilder();
    for (DemoBackend b : backends) {
      if (b != victim) {
        others.append(others.length() == 0 ? "" : ", ");
        others.append(b.name()).append(' ').append(delta(atRestart, atDown, b.server().id()));
      }
    }
    out.printf("  taken by the others meanwhile: %s%n", others);
    out.printf(
        "  routed to %s after it came back: %d%n",
        victim.name(), delta(end.requestsPerServer(), atRestart, id));
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Loads and warms the probe's and the clients' HTTP stacks before anything is timed: the first
   * call of a fresh JVM takes far longer than a probe interval, and would mark every backend down.
   */
  private static void warmUp(Probe probe, HttpClient http, List<Server> servers)
      throws IOException, InterruptedException {
    for (Server server : servers) {
      for (int i = 0; i < 3; i++) {
        ProbeResult result;
        try {
          result = probe.probe(server, Duration.ofSeconds(10));
        } catch (Exception e) { // a probe may throw anything; here it means the demo cannot run
          throw new IOException("warm-up probe of " + server + " threw", e);
        }
        if (!result.isPassed()) {
          throw new IOException("warm-up probe of " + server + ": " + result);
        }
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://" + server.id() + "/work"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new IOException("warm-up call of " + server + ": HTTP " + response.statusCode());
        }
      }
    }
  }

  /**
   * A balancer over the demo's servers. Its retry budget is larger than the default (20% of
   * requests): with round robin a quarter of all calls hit the killed backend until the health
   * check catches up, and the demo wants every one of them retried.
   */
  private static LoadBalancer balancer(List<Server> servers, Algorithm algorithm) {
    return LoadBalancer.builder(servers)
        .algorithm(algorithm)
        .retryBudget(RetryBudget.create(0.5, 100, Ticker.system()))
        .build();
  }

  private static long delta(Map<String, Long> later, Map<String, Long> earlier, String id) {
    return Objects.requireNonNullElse(later.get(id), 0L)
        - Objects.requireNonNullElse(earlier.get(id), 0L);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** Lets real time pass: the demo is paced by the wall clock. */
  private static void pause(Duration duration) {
    long deadline = CLOCK.read() + duration.toNanos();
    for (long left = duration.toNanos(); left > 0; left = deadline - CLOCK.read()) {
      LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }
}
