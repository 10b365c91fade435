package dev.lbkit.services.kit.testing;

import dev.lbkit.services.kit.Options;
import dev.lbkit.services.kit.Service;
import dev.lbkit.services.kit.ServiceMain;
import java.util.Map;

/**
 * Starts a service in this JVM from a command line and environment, as its {@code main} would,
 * without exiting or installing a shutdown hook: each call is its own server (its own Jetty), so a
 * test can run several instances side by side.
 */
public final class InProcess {
  private InProcess() {}

  /** Parses {@code args} and {@code env} with {@code options} and starts the service. */
  public static Service start(
      Options options, ServiceMain.Starter starter, Map<String, String> env, String... args)
      throws Exception {
    return starter.start(options.parse(args, env));
  }
}
