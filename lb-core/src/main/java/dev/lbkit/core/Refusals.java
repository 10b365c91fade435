package dev.lbkit.core;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Explains a refusal: why no server was admissible for a request, as a {@link Refusal} and, when
 * rate limits refused it, the time until the first token. Runs only after routing found nothing, so
 * it may scan the members (O(n), no lock, no allocation but the exception); the pick loop itself
 * never records reasons. Each member is looked at in admission's order (draining, health, ejection,
 * cap, token) and the most transient reason over all of them wins. A member that looks admissible
 * on this second look (a slot freed or a token came back meanwhile, or waiting acquires were first
 * in line) counts as {@link Refusal#AT_CAPACITY}: it was contended.
 */
final class Refusals {

  private Refusals() {}

  /**
   * Returns the exception for a refusal among {@code members}, skipping those in {@code tried}.
   *
   * @param panic whether admission skipped health and ejection
   */
  static NoServerAvailableException explain(
      Backend[] members,
      @Nullable List<Server> tried,
      boolean panic,
      Ticker ticker,
      String message) {
    Refusal worst = Refusal.NO_SERVERS;
    long wait = Long.MAX_VALUE;
    for (Backend b : members) {
      if (!b.member || (tried != null && tried.contains(b.server))) {
        continue;
      }
      Refusal why = reason(b, panic, ticker);
      if (why.compareTo(worst) > 0) {
        worst = why;
      }
      if (why == Refusal.RATE_LIMITED) {
        TokenBucket bucket = b.rateLimit;
        if (bucket != null) {
          wait = Math.min(wait, bucket.nanosUntilPermit());
        }
      }
    }
    Duration retryAfter =
        worst == Refusal.RATE_LIMITED && wait != Long.MAX_VALUE ? Duration.ofNanos(wait) : null;
    return new NoServerAvailableException(message + " (" + worst + ")", worst, retryAfter);
  }

  /** Why {@code b} is not admissible now, by admission's checks in admission's order. */
  static Refusal reason(Backend b, boolean panic, Ticker ticker) {
    if (!b.member) {
      return Refusal.NO_SERVERS;
    }
    if (b.draining) {
      return Refusal.DRAINING;
    }
    if (!panic && !b.server.isHealthy()) {
      return Refusal.UNHEALTHY;
    }
    if (!panic && b.isEjected(ticker)) {
      return Refusal.EJECTED;
    }
    if (b.server.activeConnections() >= b.maxConcurrent) {
      return Refusal.AT_CAPACITY;
    }
    TokenBucket bucket = b.rateLimit;
    if (bucket != null && bucket.nanosUntilPermit() > 0) {
      return Refusal.RATE_LIMITED;
    }
    return Refusal.AT_CAPACITY; // admissible on this look: contended, or waiters first in line
  }
}
