package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.LeastConnections;
import dev.lbkit.core.Server;
import dev.lbkit.core.ServerPicker;
import java.util.ArrayList;
import java.util.List;

/**
 * A client's own {@link ServerPicker}: each call counted on the picked server's active connections
 * from pick to response (through {@link LeastConnections#connect}, which counts on any server).
 */
final class PickerRouter implements Router {

  private static final LeastConnections COUNTER = new LeastConnections(List.of());

  private final Client client;
  private final ServerPicker picker;

  PickerRouter(Client client, ServerPicker picker) {
    this.client = client;
    this.picker = picker;
  }

  @Override
  public int pick(int call) {
    Server server = picker.next();
    if (server == null) {
      throw new IllegalStateException("no healthy server among " + picker.servers());
    }
    COUNTER.connect(server);
    return client.indexOf(server);
  }

  @Override
  public void complete(int call, int server, long latencyNanos, boolean success) {
    COUNTER.disconnect(client.servers().get(server));
  }

  @Override
  public void joined(int server) {
    List<Server> members = new ArrayList<>(picker.servers());
    members.add(client.servers().get(server));
    picker.setServers(members);
  }
}
