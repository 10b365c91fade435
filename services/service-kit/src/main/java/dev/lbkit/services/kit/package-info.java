/**
 * The plumbing every lbkit service shares, and nothing specific to any one of them.
 *
 * <ul>
 *   <li>{@link dev.lbkit.services.kit.Options}: options declared once (name, environment variable,
 *       default, help), read from flags and the environment; {@code --help}; a bad value is one
 *       line naming the option and exit code 2 ({@link dev.lbkit.services.kit.ServiceMain}).
 *   <li>{@link dev.lbkit.services.kit.HttpService}: a Jetty 12 server (core handler API, no
 *       servlets) with a method and path router ({@link dev.lbkit.services.kit.Routes}), JSON in
 *       and out, a request body limit whose 413 the client receives, JSON error bodies, security
 *       headers, request ids, one access-log line per request and a graceful stop.
 *   <li>{@link dev.lbkit.services.kit.JsonLog}: structured JSON log lines.
 *   <li>{@link dev.lbkit.services.kit.Tokens}: bearer tokens generated, hashed for storage and
 *       compared in constant time.
 * </ul>
 */
@NullMarked
package dev.lbkit.services.kit;

import org.jspecify.annotations.NullMarked;
