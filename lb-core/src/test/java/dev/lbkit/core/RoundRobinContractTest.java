package dev.lbkit.core;

import java.util.List;
import java.util.Map;

class RoundRobinContractTest extends ServerPickerContract {
  @Override
  ServerPicker create(List<Server> servers) {
    return new RoundRobin(servers);
  }

  @Override
  Map<Server, Integer> sharesPerPeriod(List<Server> servers) {
    return equalShares(servers);
  }
}
