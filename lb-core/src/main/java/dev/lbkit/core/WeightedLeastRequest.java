package dev.lbkit.core;

import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's least request load balancer with {@code active_request_bias}, as a standalone picker.
 *
 * <ul>
 *   <li>While all healthy servers have the same {@link Server#weight()}: the one with fewer {@link
 *       Server#activeConnections()} of two distinct random healthy servers (power of two choices).
 *       O(1).
 *   <li>Otherwise: a random healthy server drawn in proportion to {@code weight / (active +
 *       1)^bias}, Envoy's load-adjusted weights, over all of them. O(n). With bias 1 (the default)
 *       a server with twice the weight and twice the requests in flight (plus one) is as likely as
 *       its peer; with bias 0 the draw ignores load (weighted random).
 * </ul>
 *
 * <p>With a {@link SlowStart}, a server that joins (through {@link #setServers}) or comes back
 * healthy counts {@code weight x} its ramp factor in the draw until its window ends; while one
 * ramps, the equal-weight shortcut is off. The servers it is built with start warm.
 *
 * <p>Thread-safe, lock-free, no allocation per pick. Active connections are the servers' own: a
 * {@link LoadBalancer} counts them through its leases; standalone, count them with {@link
 * LeastConnections#connect} and {@link LeastConnections#disconnect} or a balancer.
 */
public final class WeightedLeastRequest extends PolicyPicker {

  /**
   * Creates a picker over {@code servers} with bias 1, no slow start, the system ticker and {@link
   * RandomSources#threadLocal()}.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public WeightedLeastRequest(List<Server> servers) {
    this(
        servers,
        LeastRequestPolicy.DEFAULT_BIAS,
        null,
        Ticker.system(),
        RandomSources.threadLocal());
  }

  /**
   * Creates a picker over {@code servers}.
   *
   * @param activeRequestBias the exponent of {@code active + 1} (Envoy's {@code
   *     active_request_bias}); 1 by default, 0 ignores load when weights differ
   * @param slowStart the ramp of servers that join or come back healthy, or null for none
   * @param ticker the time of the slow start
   * @param random the random source; thread-safe if the picker is shared by threads
   * @throws NullPointerException if {@code servers}, an element, {@code ticker} or {@code random}
   *     is null
   * @throws IllegalArgumentException if two servers have the same id, or {@code activeRequestBias}
   *     is negative or not finite
   */
  public WeightedLeastRequest(
      List<Server> servers,
      double activeRequestBias,
      @Nullable SlowStart slowStart,
      Ticker ticker,
      RandomGenerator random) {
    super(servers, new LeastRequestPolicy(activeRequestBias, 2, random, slowStart, ticker));
  }

  /** Returns a healthy server by least request, or null when none is healthy. */
  @Override
  public @Nullable Server next() {
    return super.next();
  }
}
