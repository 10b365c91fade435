package dev.lbkit.core;

import java.util.List;

/** The weighted contract with every schedule forced onto the golden-stride fallback. */
class WeightedRoundRobinFallbackContractTest extends WeightedRoundRobinContractTest {
  @Override
  ServerPicker create(List<Server> servers) {
    return new WeightedRoundRobin(servers, 0, 0);
  }
}
