package dev.lbkit.benchmarks.sim;

import java.util.random.RandomGenerator;

/**
 * The global bound: the member with the lowest (requests in flight + 1) x mean work / (cores x
 * speed now), by the fleet's true state; ties at random.
 */
final class OracleRouter implements Router {

  private final FleetView fleet;
  private final RandomGenerator random;
  private final double[] meanWorkPerCore;

  OracleRouter(Client client) {
    this.fleet = client.fleet();
    this.random = client.random();
    this.meanWorkPerCore = new double[fleet.size()];
    for (int i = 0; i < meanWorkPerCore.length; i++) {
      ServerSpec spec = fleet.spec(i);
      int cores = spec.cores() == ServerSpec.UNLIMITED ? 1 : spec.cores();
      meanWorkPerCore[i] = spec.serviceTime().meanNanos() / cores;
    }
  }

  @Override
  public int pick(int call) {
    int best = -1;
    double bestCost = Double.POSITIVE_INFINITY;
    int ties = 0;
    for (int i = 0; i < meanWorkPerCore.length; i++) {
      if (!fleet.isMember(i)) {
        continue;
      }
      double speed = fleet.speed(i);
      double cost =
          speed > 0
              ? (fleet.requestsInFlight(i) + 1) * meanWorkPerCore[i] / speed
              : Double.MAX_VALUE;
      if (best < 0 || cost < bestCost) {
        best = i;
        bestCost = cost;
        ties = 1;
      } else if (cost == bestCost && random.nextInt(++ties) == 0) {
        best = i;
      }
    }
    if (best < 0) {
      throw new IllegalStateException("no member in the fleet");
    }
    return best;
  }

  @Override
  public void complete(int call, int server, long latencyNanos, boolean success) {}
}
