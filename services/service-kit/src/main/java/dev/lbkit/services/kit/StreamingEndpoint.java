package dev.lbkit.services.kit;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Handles a route's request by writing the response itself, for an endpoint that must stream a body
 * rather than answer a buffered {@link Reply} (a proxy passing a backend's answer through). Added
 * with {@link Routes.Builder#stream}. The server has set its usual headers (request id, security
 * headers) on {@code response} already; the access-log line is written when {@code callback}
 * completes, with the status the response was given.
 */
@FunctionalInterface
public interface StreamingEndpoint {

  /**
   * Takes over the request: writes {@code response} and completes {@code callback} exactly once,
   * now or later on any thread. Throwing an {@link HttpError} (or any exception) is answered as
   * from an {@link Endpoint}, and is allowed only before anything was written or {@code callback}
   * was handed on.
   */
  void handle(Exchange exchange, Request request, Response response, Callback callback)
      throws Exception;
}
