package dev.lbkit.services.forward;

import java.net.URI;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A Jetty server on 127.0.0.1 and a free port, counting the connections it accepts. */
final class TestServer implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final ConnectionStatistics connections = new ConnectionStatistics();

  TestServer(String name, Handler handler) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName(name);
    server = new Server(threads);
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.addBean(connections);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
  }

  int port() {
    return connector.getLocalPort();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** Returns how many connections the server has accepted since it started. */
  long accepted() {
    return connections.getConnectionsTotal();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
