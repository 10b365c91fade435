package dev.lbkit.services.kit;

/**
 * Told of every request once it is answered: for request counters and latency histograms. Called on
 * the request's thread; must be quick and must not throw.
 */
@FunctionalInterface
public interface RequestObserver {
  /**
   * One request was answered.
   *
   * @param method the method, upper case
   * @param route the matched route's template, or {@code unmatched}
   * @param status the status sent
   * @param nanos how long it took, from arrival until the response is ready to write
   */
  void completed(String method, String route, int status, long nanos);
}
