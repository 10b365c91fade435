package dev.lbkit.benchmarks.sim;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The supermarket model: the shortest true queue among {@code choices} members sampled uniformly
 * with replacement (the first sampled on a tie), or among all members, ties at random, when {@code
 * choices} covers them.
 */
final class ShortestQueueRouter implements Router {

  private final FleetView fleet;
  private final RandomGenerator random;
  private final int choices;
  private int[] members;
  private int count;

  ShortestQueueRouter(Client client, int choices) {
    this.fleet = client.fleet();
    this.random = client.random();
    this.choices = choices;
    this.members = new int[fleet.size()];
    for (int i = 0; i < fleet.size(); i++) {
      if (fleet.isMember(i)) {
        members[count++] = i;
      }
    }
  }

  @Override
  public int pick(int call) {
    if (count == 0) {
      throw new IllegalStateException("no member in the fleet");
    }
    if (choices >= count) {
      return shortestOfAll();
    }
    int best = members[random.nextInt(count)];
    int bestLength = fleet.requestsInFlight(best);
    for (int k = 1; k < choices; k++) {
      int i = members[random.nextInt(count)];
      int length = fleet.requestsInFlight(i);
      if (length < bestLength) {
        best = i;
        bestLength = length;
      }
    }
    return best;
  }

  private int shortestOfAll() {
    int best = -1;
    int bestLength = Integer.MAX_VALUE;
    int ties = 0;
    for (int k = 0; k < count; k++) {
      int i = members[k];
      int length = fleet.requestsInFlight(i);
      if (length < bestLength) {
        best = i;
        bestLength = length;
        ties = 1;
      } else if (length == bestLength && random.nextInt(++ties) == 0) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public void complete(int call, int server, long latencyNanos, boolean success) {}

  @Override
  public void joined(int server) {
    if (count == members.length) {
      members = Arrays.copyOf(members, count + 1);
    }
    members[count++] = server;
  }
}
