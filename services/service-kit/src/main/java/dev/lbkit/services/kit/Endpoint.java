package dev.lbkit.services.kit;

/**
 * Handles the requests of one route. Runs on one of the server's threads and may block (on a
 * database, say); throws {@link HttpError} for an error answer. Any other exception is answered
 * with a 500 that names the request id, and logged.
 */
@FunctionalInterface
public interface Endpoint {
  /** Answers {@code exchange}. */
  Reply handle(Exchange exchange) throws Exception;
}
