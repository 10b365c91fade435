package dev.lbkit.health;

/** Which of an {@link OutlierDetector}'s detectors ejected a server (Envoy's ejection types). */
public enum EjectionReason {
  /** {@code consecutiveFailures} failed calls in a row (Envoy's consecutive 5xx). */
  CONSECUTIVE_FAILURES,
  /**
   * A success rate over the last interval below the mean of the servers with enough calls, less
   * {@code successRateStdevFactor} standard deviations.
   */
  SUCCESS_RATE,
  /** A failure percentage over the last interval at or above {@code failurePercentageThreshold}. */
  FAILURE_PERCENTAGE
}
