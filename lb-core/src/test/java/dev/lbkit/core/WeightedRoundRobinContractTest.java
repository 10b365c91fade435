package dev.lbkit.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

class WeightedRoundRobinContractTest extends ServerPickerContract {
  @Override
  ServerPicker create(List<Server> servers) {
    return new WeightedRoundRobin(servers);
  }

  @Override
  Map<Server, Integer> sharesPerPeriod(List<Server> servers) {
    int gcd =
        servers.stream().mapToInt(Server::weight).reduce(0, WeightedRoundRobinContractTest::gcd);
    Map<Server, Integer> shares = new HashMap<>();
    IntStream.range(0, servers.size())
        .forEach(i -> shares.put(servers.get(i), servers.get(i).weight() / gcd));
    return shares;
  }

  static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
