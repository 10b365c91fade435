package dev.lbkit.core;

/**
 * The balancing algorithms a {@link LoadBalancer} can use. Every one honours the same admission
 * rules: only healthy servers that are not draining, under their rate limit and under their
 * concurrency cap are picked.
 */
public enum Algorithm {
  /** Strict list order over the healthy servers; see {@link RoundRobin}. */
  ROUND_ROBIN,
  /** nginx's smooth weighted round robin; see {@link WeightedRoundRobin}. */
  WEIGHTED_ROUND_ROBIN,
  /** Fewest active connections, ties in round-robin order; see {@link LeastConnections}. */
  LEAST_CONNECTIONS,
  /** A uniformly random healthy server, from the balancer's random source. */
  RANDOM,
  /**
   * The server with fewer active connections of two (or, configured, k) distinct random healthy
   * servers: nearly as good as a full scan, O(k) per pick, and it never picks the most loaded one.
   */
  POWER_OF_TWO_CHOICES,
  /**
   * The healthy server with the lowest reported {@link Server#load()} (such as a runner's queue
   * depth), ties broken by active connections and then in round-robin order.
   */
  LEAST_LOADED,
  /**
   * The owner of the request's {@linkplain Request#key() key} in a placement of the servers (the
   * client IP when the request has no key); requests with neither are routed round robin. The
   * placement is a consistent hash ring unless the builder chooses another ({@link
   * LoadBalancer.Builder#placement}); servers weigh their {@link Server#weight()}. A key whose
   * server is unhealthy or otherwise unavailable goes to the next server in the placement's probe
   * order, and comes back when its server does; with a {@link LoadBalancer.Builder#balanceFactor
   * balance factor}, so does a key whose server is full.
   */
  CONSISTENT_HASH,
  /**
   * Latency-aware: of two random healthy servers, the one with the lower peak-EWMA latency estimate
   * times (active connections + 1), as Finagle and Linkerd do; see {@link PeakEwma}. The balancer
   * feeds each closed lease's latency to the estimates; a failed lease never lowers its server's
   * estimate, so fast failures do not attract traffic. The decay is set with {@link
   * LoadBalancer.Builder#peakEwmaDecay}.
   */
  PEAK_EWMA,
  /**
   * Google's Prequal: picks from a pool of asynchronous, reusable probe results (requests in flight
   * and latency, reported by the servers) by the hot-cold lexicographic rule; see {@link Prequal}.
   * Needs {@link LoadBalancer.Builder#prequal} (the probe).
   */
  PREQUAL,
  /**
   * Envoy's least request with weights: of two random healthy servers, the one with fewer active
   * connections while all weights are equal; otherwise a draw in proportion to {@code weight /
   * (active + 1)^bias} over all of them. See {@link WeightedLeastRequest}; the bias is set with
   * {@link LoadBalancer.Builder#activeRequestBias}.
   */
  WEIGHTED_LEAST_REQUEST
}
