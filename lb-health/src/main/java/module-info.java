/**
 * Health checking for lbkit servers: the threshold state machine, probes and passive ejection. The
 * health checker writes health only through {@code Server} and the facade's public API.
 */
module dev.lbkit.health {
  requires transitive dev.lbkit.core;
  requires static transitive org.jspecify;
  requires java.net.http; // the HTTP health probe

  exports dev.lbkit.health;
}
