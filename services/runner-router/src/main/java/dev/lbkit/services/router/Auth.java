package dev.lbkit.services.router;

import dev.lbkit.services.kit.Endpoint;
import dev.lbkit.services.kit.Exchange;
import dev.lbkit.services.kit.HttpError;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.StreamingEndpoint;

/**
 * The {@code X-API-Key} check in front of every route but health: 401 without a key or with one not
 * in {@code api_keys.json}. A rejection is logged with the route and the reason, never the key.
 */
final class Auth {

  static final String HEADER = "X-API-Key";

  private final ApiKeys keys;
  private final JsonLog log;

  Auth(ApiKeys keys, JsonLog log) {
    this.keys = keys;
    this.log = log;
  }

  Endpoint required(Endpoint endpoint) {
    return exchange -> {
      check(exchange);
      return endpoint.handle(exchange);
    };
  }

  StreamingEndpoint required(StreamingEndpoint endpoint) {
    return (exchange, request, response, callback) -> {
      check(exchange);
      endpoint.handle(exchange, request, response, callback);
    };
  }

  private void check(Exchange exchange) {
    String key = exchange.header(HEADER);
    if (keys.accepts(key)) {
      return;
    }
    String reason = key == null ? "no API key" : "an invalid API key";
    log.info("rejected")
        .field("request_id", exchange.requestId())
        .field("method", exchange.method())
        .field("route", exchange.route())
        .field("remote", exchange.remoteAddress())
        .field("reason", reason)
        .write();
    throw new HttpError(
        401,
        "unauthorized",
        key == null ? "missing API key: send it in the " + HEADER + " header" : "invalid API key");
  }
}
