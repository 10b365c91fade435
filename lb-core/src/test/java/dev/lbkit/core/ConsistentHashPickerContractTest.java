package dev.lbkit.core;

import java.util.List;
import java.util.Map;

/** {@link ServerPicker#consistentHash}: {@code next()} without a request is a round robin. */
class ConsistentHashPickerContractTest extends ServerPickerContract {
  @Override
  ServerPicker create(List<Server> servers) {
    return ServerPicker.consistentHash(servers);
  }

  @Override
  Map<Server, Integer> sharesPerPeriod(List<Server> servers) {
    return equalShares(servers);
  }
}
