package dev.lbkit.services.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lbkit.core.Ticker;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Completed results by {@link ResultKey}: Caffeine in memory in front of SQLite on disk, so a hit
 * costs a map lookup and results survive a restart. An entry lives {@code ttl} after it was stored:
 * an expired one is never answered, and {@link #purgeExpired()} (run hourly) deletes them from both
 * tiers. Time is the router's wall clock (a {@link Ticker} of epoch nanoseconds), the same one the
 * stored timestamps are in. Thread-safe.
 */
final class ResultCache {

  private final RouterStore store;
  private final Ticker clock;
  private final long ttlMillis;
  private final Cache<ResultKey, CachedResult> memory =
      Caffeine.newBuilder().maximumSize(100_000).executor(Runnable::run).build();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  ResultCache(RouterStore store, Ticker clock, Duration ttl) {
    this.store = store;
    this.clock = clock;
    this.ttlMillis = ttl.toMillis();
  }

  /** Returns the result for {@code key} if one is stored and not expired; counts a hit or miss. */
  Optional<CachedResult> get(ResultKey key) throws SQLException {
    Optional<CachedResult> found = peek(key);
    (found.isPresent() ? hits : misses).increment();
    return found;
  }

  /** Like {@link #get}, without counting: a cached job's status asks again for its result. */
  Optional<CachedResult> peek(ResultKey key) throws SQLException {
    CachedResult found = memory.getIfPresent(key);
    if (found == null) {
      found = store.result(key).orElse(null);
      if (found != null) {
        memory.put(key, found);
      }
    }
    return found == null || expired(found) ? Optional.empty() : Optional.of(found);
  }

  /** Stores the metrics of a completed job, replacing any older result for the key. */
  void put(ResultKey key, String metricsJson) throws SQLException {
    CachedResult result = new CachedResult(key, metricsJson, nowMillis());
    store.putResult(result);
    memory.put(key, result);
  }

  /** Deletes every expired result from memory and disk; returns how many rows went from disk. */
  int purgeExpired() throws SQLException {
    memory.asMap().values().removeIf(this::expired);
    return store.deleteResultsBefore(nowMillis() - ttlMillis);
  }

  /** Returns the results not expired, oldest first. */
  List<CachedResult> entries() throws SQLException {
    List<CachedResult> live = new ArrayList<>();
    for (CachedResult result : store.results()) {
      if (!expired(result)) {
        live.add(result);
      }
    }
    return live;
  }

  /** Returns when {@code result} expires, epoch milliseconds. */
  long expiresAtMillis(CachedResult result) {
    return result.createdAtMillis() + ttlMillis;
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  private boolean expired(CachedResult result) {
    return nowMillis() - result.createdAtMillis() >= ttlMillis;
  }

  private long nowMillis() {
    return Math.floorDiv(clock.read(), 1_000_000L);
  }
}
