/**
 * Micrometer meters for lbkit: {@code LoadBalancerMetrics}, {@code HealthCheckerMetrics} and {@code
 * OutlierDetectorMetrics} bind a balancer's, a health checker's and an outlier detector's counters,
 * timers and gauges to a {@code MeterRegistry}. The only lbkit module that knows Micrometer.
 */
@SuppressWarnings({
  "requires-automatic",
  "requires-transitive-automatic"
}) // micrometer-core is an automatic module (Automatic-Module-Name: micrometer.core)
module dev.lbkit.micrometer {
  requires transitive dev.lbkit.core;
  requires transitive dev.lbkit.health; // HealthChecker and OutlierDetector are in our signatures
  requires transitive micrometer.core; // MeterBinder and MeterRegistry are in our signatures
  requires static transitive org.jspecify;

  exports dev.lbkit.micrometer;
}
