package dev.lbkit.benchmarks;

import dev.lbkit.core.Server;
import java.util.List;

/**
 * The textbook peer, <b>not library code</b>: nginx's smooth weighted round robin written the
 * straightforward way, as most Java ports of it are. Each pick adds every server's weight to its
 * current weight, takes the server with the largest current weight (the first in list order on a
 * tie) and subtracts the total weight from it; weights {5, 1, 1} give {@code a a b a c a a}.
 *
 * <p>Every pick is O(n) and writes n fields, so it runs under a lock ({@code synchronized}). It
 * exists so that {@link WeightedRoundRobinBenchmark} can measure lbkit's {@code
 * WeightedRoundRobin}, which returns the same sequence from a precomputed schedule, against the
 * usual implementation at the same n and the same weights. Health is ignored: every server counts.
 */
final class NginxSmoothWrrBaseline {

  private final Server[] servers;
  private final int[] weights;
  private final int[] current;
  private final int total;

  NginxSmoothWrrBaseline(List<Server> servers) {
    this.servers = servers.toArray(new Server[0]);
    this.weights = new int[this.servers.length];
    this.current = new int[this.servers.length];
    int sum = 0;
    for (int i = 0; i < this.servers.length; i++) {
      weights[i] = this.servers[i].weight();
      sum += weights[i];
    }
    this.total = sum;
  }

  /** Returns the next server in nginx's smooth weighted order. Servers must not be empty. */
  synchronized Server next() {
    int best = -1;
    for (int i = 0; i < current.length; i++) {
      current[i] += weights[i];
      if (best < 0 || current[i] > current[best]) {
        best = i;
      }
    }
    current[best] -= total;
    return servers[best];
  }
}
