package dev.lbkit.services.kit;

/** A started service: the port it listens on, and a graceful, idempotent {@link #close()}. */
public interface Service extends AutoCloseable {
  /** Returns the port the service listens on (the real one when started on port 0). */
  int port();

  /**
   * Stops accepting, lets the requests in flight finish (within the stop timeout), runs the
   * service's close steps in order and returns once no thread of the service is left. Idempotent.
   */
  @Override
  void close();
}
