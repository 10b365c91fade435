package dev.lbkit.services.broker;

import dev.lbkit.services.kit.ServiceMain;

/** {@code java -jar sandbox-broker.jar [options]}: see {@code --help}. */
public final class BrokerMain {
  private BrokerMain() {}

  /** Runs the broker until SIGTERM. */
  public static void main(String[] args) {
    ServiceMain.run(BrokerOptions.OPTIONS, args, Broker::start);
  }
}
