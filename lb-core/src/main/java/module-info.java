/**
 * The lbkit balancing algorithms, the {@code Server} they pick and the {@code LoadBalancer} facade
 * that composes them with affinity, rate limits, leases, failover, drain and stats.
 */
module dev.lbkit.core {
  requires transitive dev.lbkit.hashing;
  requires static transitive org.jspecify;

  exports dev.lbkit.core;
}
