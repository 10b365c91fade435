package dev.lbkit.examples;

import static java.util.Comparator.comparingLong;

import dev.lbkit.core.LeastConnections;
import dev.lbkit.core.RoundRobin;
import dev.lbkit.core.Server;
import dev.lbkit.core.ServerPicker;
import dev.lbkit.core.WeightedRoundRobin;
import dev.lbkit.hashing.ConsistentHash;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The README's demo: routes simulated requests over four servers with each algorithm and prints how
 * many each server got, then shows the consistent hash ring keeping keys in place when a node
 * joins. Halfway through each run one server is marked unhealthy, to show it being skipped.
 *
 * <p>Run it with {@code mvn -B -q install -DskipTests && mvn -B -q -pl lb-examples exec:java}; pass
 * {@code -Ddemo.args=--requests=N} to change the number of requests. Deterministic: the simulated
 * request durations come from a fixed seed.
 */
public final class Demo {

  private static final int DEFAULT_REQUESTS = 9_000;

  private Demo() {}

  /** Runs the demo; {@code --requests=N} sets the number of requests per algorithm. */
  public static void main(String[] args) {
    int requests = DEFAULT_REQUESTS;
    for (String arg : args) {
      if (arg.startsWith("--requests=")) {
        requests = Integer.parseInt(arg.substring("--requests=".length()));
      } else {
        throw new IllegalArgumentException("argument: " + arg + " (expected: --requests=N)");
      }
    }
    run(requests, System.out);
  }

  /**
   * Runs every part of the demo, printing to {@code out}.
   *
   * @param requests requests per algorithm, at least 2
   */
  public static void run(int requests, PrintStream out) {
    if (requests < 2) {
      throw new IllegalArgumentException("requests: " + requests + " (expected: >= 2)");
    }
    out.printf("lbkit demo: %,d requests per algorithm over 4 servers%n", requests);
    out.println("(server 10.0.0.2 is marked unhealthy halfway through each run)");
    route("RoundRobin", RoundRobin::new, requests, out);
    route("WeightedRoundRobin (weights 5, 3, 1, 1)", WeightedRoundRobin::new, requests, out);
    route("LeastConnections (requests last 1-40 ticks)", LeastConnections::new, requests, out);
    ring(out);
  }

  /** Creates a picker over a fresh set of servers. */
  private interface PickerFactory {
    ServerPicker create(List<Server> servers);
  }

  private static void route(String title, PickerFactory factory, int requests, PrintStream out) {
    List<Server> servers =
        List.of(
            new Server("10.0.0.1", 8080, 5),
            new Server("10.0.0.2", 8080, 3),
            new Server("10.0.0.3", 8080, 1),
            new Server("10.0.0.4", 8080, 1));
    ServerPicker picker = factory.create(servers);
    Map<Server, int[]> counts = new LinkedHashMap<>();
    servers.forEach(s -> counts.put(s, new int[2]));
    InFlight inFlight = new InFlight(picker);
    for (int i = 0; i < requests; i++) {
      int half = i < requests / 2 ? 0 : 1;
      if (i == requests / 2) {
        servers.get(1).setHealthy(false);
      }
      inFlight.tick();
      Server server = picker.next();
      if (server == null) {
        out.println("  no healthy server");
        return;
      }
      Objects.requireNonNull(counts.get(server))[half]++;
      inFlight.start(server);
    }
    inFlight.drain();
    out.printf("%n%s%n", title);
    out.printf("  %-22s %12s %12s%n", "server", "first half", "second half");
    counts.forEach((server, c) -> out.printf("  %-22s %12d %12d%n", server.toString(), c[0], c[1]));
  }

  /**
   * Simulated requests in flight: each lasts a seeded random 1-40 ticks, one tick per new request,
   * and holds a connection on its server meanwhile (which is what least connections reads).
   */
  private static final class InFlight {
    private record Call(long end, Server server) {}

    private final LeastConnections connections;
    private final Random random = new Random(7);
    private final PriorityQueue<Call> calls = new PriorityQueue<>(comparingLong(Call::end));
    private long now;

    InFlight(ServerPicker picker) {
      this.connections = new LeastConnections(picker.servers());
    }

    void start(Server server) {
      connections.connect(server);
      calls.add(new Call(now + 1 + random.nextInt(40), server));
    }

    void tick() {
      now++;
      while (!calls.isEmpty() && calls.element().end() <= now) {
        connections.disconnect(calls.remove().server());
      }
    }

    void drain() {
      calls.forEach(call -> connections.disconnect(call.server()));
      calls.clear();
    }
  }

  private static void ring(PrintStream out) {
    ConsistentHash<String> ring = new ConsistentHash<>(List.of("cache-a", "cache-b", "cache-c"));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      keys.add("user:" + i);
    }
    Map<String, String> before = new LinkedHashMap<>();
    keys.forEach(k -> before.put(k, ring.getNode(k)));
    out.printf("%nConsistentHash (150 virtual nodes): 10,000 keys%n");
    ring.getDistribution(keys).forEach((node, n) -> out.printf("  %-10s %6d keys%n", node, n));
    ring.addNode("cache-d");
    int moved = 0;
    int movedElsewhere = 0;
    for (String key : keys) {
      String now = ring.getNode(key);
      if (!Objects.equals(before.get(key), now)) {
        moved++;
        if (!"cache-d".equals(now)) {
          movedElsewhere++;
        }
      }
    }
    out.printf(
        "  after adding cache-d: %,d keys moved (%.1f%%; ideal 25%%), %d of them anywhere but"
            + " cache-d%n",
        moved, 100.0 * moved / keys.size(), movedElsewhere);
  }
}
