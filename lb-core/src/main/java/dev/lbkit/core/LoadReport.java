package dev.lbkit.core;

/**
 * What a server says about its load when {@link Algorithm#PREQUAL} probes it: the requests it has
 * in flight (RIF) and its estimate of how long a request arriving now would take. A server fills
 * one from a {@link LoadReporter}; a client receives it from its {@link LoadProbe}.
 *
 * @param requestsInFlight requests the server has accepted and not finished, at least 0
 * @param latencyNanos the server's latency estimate for a request arriving now, in nanoseconds, at
 *     least 0 (0: no estimate yet)
 */
public record LoadReport(int requestsInFlight, long latencyNanos) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if a value is negative
   */
  public LoadReport {
    if (requestsInFlight < 0) {
      throw new IllegalArgumentException(
          "requestsInFlight: " + requestsInFlight + " (expected: >= 0)");
    }
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " (expected: >= 0)");
    }
  }
}
