package dev.lbkit.core;

import java.util.List;
import java.util.Map;

class LeastConnectionsContractTest extends ServerPickerContract {
  @Override
  ServerPicker create(List<Server> servers) {
    return new LeastConnections(servers);
  }

  @Override
  Map<Server, Integer> sharesPerPeriod(List<Server> servers) {
    return equalShares(servers); // with no connections open, ties rotate: a plain round robin
  }
}
