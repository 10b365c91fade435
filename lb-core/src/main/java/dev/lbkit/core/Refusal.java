package dev.lbkit.core;

/**
 * Why a {@link LoadBalancer} had no admissible server for a request: {@link
 * NoServerAvailableException#refusal()}. When its servers were refused for different reasons, the
 * exception names the most transient one, the reason most likely to be gone soonest, in the order
 * {@link #RATE_LIMITED}, {@link #AT_CAPACITY}, {@link #EJECTED}, {@link #DRAINING}, {@link
 * #UNHEALTHY}, {@link #NO_SERVERS}: a caller deciding whether (and when) to try again learns the
 * best case. Only a rate-limited refusal comes with a {@linkplain
 * NoServerAvailableException#retryAfter() retry-after hint}.
 */
public enum Refusal {
  /** The balancer has no servers (or, for a strict affinity pin, the pinned server left it). */
  NO_SERVERS,
  /** Every server is unhealthy (and the balancer does not panic). */
  UNHEALTHY,
  /** Every server is draining: it takes no new requests and leaves once idle. */
  DRAINING,
  /** Every server is ejected for a while, by the balancer's passive health checks. */
  EJECTED,
  /** Every server is at its concurrency cap (or waiting acquires are first in line). */
  AT_CAPACITY,
  /** Every server is out of rate-limit tokens for now. */
  RATE_LIMITED
}
