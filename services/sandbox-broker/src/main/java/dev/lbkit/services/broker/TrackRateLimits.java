package dev.lbkit.services.broker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lbkit.core.Ticker;
import dev.lbkit.core.TokenBucket;
import java.time.Duration;
import java.util.Optional;

/**
 * Allocations per second per track: one lbkit {@link TokenBucket} per track (burst: the rate, at
 * least 1), kept while the track is active (10 minutes after its last request). Per instance: with
 * N instances a track may get N times the rate. Thread-safe; the check is lock-free.
 */
final class TrackRateLimits {
  private final double perSecond;
  private final long burst;
  private final Ticker ticker;
  private final Cache<String, TokenBucket> buckets =
      Caffeine.newBuilder()
          .expireAfterAccess(Duration.ofMinutes(10))
          .maximumSize(1_000_000)
          .build();

  TrackRateLimits(double perSecond, Ticker ticker) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, (long) Math.ceil(perSecond));
    this.ticker = ticker;
  }

  /**
   * Takes a permit for {@code track}; empty when granted, else how long to wait (whole seconds).
   */
  Optional<Duration> acquire(String track) {
    if (perSecond <= 0) {
      return Optional.empty();
    }
    TokenBucket bucket = buckets.get(track, t -> TokenBucket.create(perSecond, burst, ticker));
    if (bucket.tryAcquire()) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Math.max(1, (long) Math.ceil(1 / perSecond))));
  }
}
