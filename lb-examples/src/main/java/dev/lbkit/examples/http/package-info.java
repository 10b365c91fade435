/**
 * The few HTTP and JSON helpers the pool coordinator and runner router examples share, so each
 * service reads as routing logic rather than plumbing: {@link
 * dev.lbkit.examples.http.LoopbackServer} (a JDK {@code HttpServer} on 127.0.0.1 with its own
 * threads, stopped whole by {@code close()}), {@link dev.lbkit.examples.http.Exchanges} (read a
 * request, answer with JSON or an {@link dev.lbkit.examples.http.HttpError}), {@link
 * dev.lbkit.examples.http.JsonClient} (a {@code java.net.http.HttpClient} on threads it owns),
 * {@link dev.lbkit.examples.http.Json} (just enough JSON for flat wire objects) and {@link
 * dev.lbkit.examples.http.Secrets} (a set of secrets compared in constant time).
 *
 * <p>They are example code: small, documented, and deliberately limited (no TLS, no chunked uploads
 * past {@link dev.lbkit.examples.http.Exchanges#MAX_BODY_BYTES}, no nested JSON on input).
 */
@NullMarked
package dev.lbkit.examples.http;

import org.jspecify.annotations.NullMarked;
