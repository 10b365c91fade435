/**
 * Micrometer meters for lbkit: {@code LoadBalancerMetrics} binds a balancer's counters, timers and
 * gauges to a {@code MeterRegistry}. The only lbkit module that knows Micrometer.
 */
@SuppressWarnings({
  "requires-automatic",
  "requires-transitive-automatic"
}) // micrometer-core is an automatic module (Automatic-Module-Name: micrometer.core)
module dev.lbkit.micrometer {
  requires transitive dev.lbkit.core;
  requires transitive micrometer.core; // MeterBinder and MeterRegistry are in our signatures
  requires static transitive org.jspecify;

  exports dev.lbkit.micrometer;
}
