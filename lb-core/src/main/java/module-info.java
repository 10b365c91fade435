/**
 * The lbkit balancing algorithms, the {@code Server} they pick and the {@code LoadBalancer} facade
 * that composes them with affinity, rate limits, leases, failover, drain and stats.
 */
@SuppressWarnings({
  "requires-automatic",
  "requires-transitive-automatic"
}) // Micrometer: a name only
module dev.lbkit.core {
  requires transitive dev.lbkit.hashing;
  requires static transitive org.jspecify;
  requires static micrometer.core; // optional: only LoadBalancerMetrics uses it

  exports dev.lbkit.core;
}
