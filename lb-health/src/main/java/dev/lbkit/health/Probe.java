package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * One probe of one server's health. Write your own as a lambda; use {@link #tcp()} (the default),
 * {@link #http(String)} or {@link #httpBuilder(String)} (https, headers, expected statuses) for the
 * common cases.
 *
 * <pre>{@code
 * Probe custom = (server, timeout) -> myClient.ping(server, timeout) ? ProbeResult.passed()
 *                                                                   : ProbeResult.failed("no pong");
 * }</pre>
 *
 * <p>A probe that throws counts as a failure, with its exception kept as the result's cause. The
 * {@link HealthChecker} bounds every probe by its timeout whatever the probe does: a probe that
 * overruns is abandoned (and interrupted) and counts as failed. Probes may be called from several
 * threads at once, but never twice at once for the same server.
 */
@FunctionalInterface
public interface Probe {

  /**
   * Probes {@code server}, taking at most about {@code timeout}.
   *
   * @return whether the server passed, and optionally the load it reported
   * @throws Exception any failure, which counts as a failed probe
   */
  ProbeResult probe(Server server, Duration timeout) throws Exception;

  /** Returns the default probe: a TCP connect to the server's host and port within the timeout. */
  static Probe tcp() {
    return Probes.TCP;
  }

  /**
   * Returns a probe that sends {@code GET http://host:port + path} and passes on a 2xx status.
   *
   * @throws IllegalArgumentException if {@code path} does not start with {@code /}
   * @throws NullPointerException if {@code path} is null
   */
  static Probe http(String path) {
    return httpBuilder(path).build();
  }

  /**
   * Returns a probe that sends {@code GET http://host:port + path} and passes on a 2xx status whose
   * body satisfies {@code body}: how a coordinator checks that a worker is the one it expects.
   *
   * @throws IllegalArgumentException if {@code path} does not start with {@code /}
   * @throws NullPointerException if an argument is null
   */
  static Probe http(String path, Predicate<String> body) {
    Objects.requireNonNull(body, "body");
    return httpBuilder(path).body(body).build();
  }

  /**
   * Returns a probe like {@link #http(String, Predicate)} that also reads a load figure from the
   * accepted body (such as a runner's queue depth); the checker hands it to {@code
   * Server.reportLoad}, which {@code LEAST_LOADED} balancing reads. A {@code load} function that
   * throws or returns a negative number fails the probe.
   *
   * @throws IllegalArgumentException if {@code path} does not start with {@code /}
   * @throws NullPointerException if an argument is null
   */
  static Probe http(String path, Predicate<String> body, ToLongFunction<String> load) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(load, "load");
    return httpBuilder(path).body(body).load(load).build();
  }

  /**
   * Returns a builder of an HTTP(S) probe of {@code path}: {@code https} with an {@code
   * SSLContext}, request headers, the statuses that pass (2xx by default), a body predicate and a
   * load figure.
   *
   * @throws IllegalArgumentException if {@code path} does not start with {@code /} or is not a
   *     valid URI path
   * @throws NullPointerException if {@code path} is null
   */
  static HttpProbeBuilder httpBuilder(String path) {
    return new HttpProbeBuilder(path);
  }
}
