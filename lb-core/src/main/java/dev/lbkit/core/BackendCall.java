package dev.lbkit.core;

/**
 * A call to one server, run by {@link LoadBalancer#execute} with failover.
 *
 * @param <T> the result
 */
@FunctionalInterface
public interface BackendCall<T> {

  /**
   * Calls {@code server}. Throwing marks the attempt failed; {@code execute} may then retry on
   * another server.
   */
  T call(Server server) throws Exception;
}
