package dev.lbkit.core;

import java.util.List;
import java.util.Map;

/** {@link ServerPicker#leastLoaded}: with no load reported and no connections, a round robin. */
class LeastLoadedContractTest extends ServerPickerContract {
  @Override
  ServerPicker create(List<Server> servers) {
    return ServerPicker.leastLoaded(servers);
  }

  @Override
  Map<Server, Integer> sharesPerPeriod(List<Server> servers) {
    return equalShares(servers);
  }
}
