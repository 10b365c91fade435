package dev.lbkit.services.router;

import dev.lbkit.core.Stats;
import dev.lbkit.services.kit.Exchange;
import dev.lbkit.services.kit.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The router's own routes: health (no key), status, stats and the cache's entries. */
final class StatusEndpoints {

  private final Runners runners;
  private final ResultCache cache;
  private final JobTable jobs;
  private final Duration cacheTtl;
  private final Duration healthInterval;

  StatusEndpoints(
      Runners runners,
      ResultCache cache,
      JobTable jobs,
      Duration cacheTtl,
      Duration healthInterval) {
    this.runners = runners;
    this.cache = cache;
    this.jobs = jobs;
    this.cacheTtl = cacheTtl;
    this.healthInterval = healthInterval;
  }

  /**
   * {@code GET /health} and {@code GET /v1/health}: as a runner answers ({@code status}, {@code
   * queue_depth}, the healthy runners' summed load), 200 while a runner is healthy, else 503.
   */
  Reply health(Exchange exchange) {
    long healthy = runners.healthyCount();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("status", healthy > 0 ? "healthy" : "unhealthy");
    answer.put("queue_depth", runners.healthyQueueDepth());
    answer.put("healthy_runners", healthy);
    answer.put("runners", runners.size());
    return Reply.json(healthy > 0 ? 200 : 503, answer);
  }

  Reply status(Exchange exchange) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("status", runners.healthyCount() > 0 ? "healthy" : "unhealthy");
    answer.put("runners", runners.status());
    answer.put("jobs", jobs.size());
    answer.put("cache_ttl_days", cacheTtl.toDays());
    answer.put("health_check_interval_seconds", healthInterval.toSeconds());
    return Reply.json(200, answer);
  }

  Reply stats(Exchange exchange) {
    Stats stats = runners.balancer().stats();
    long hits = cache.hits();
    long misses = cache.misses();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("cache_hits", hits);
    answer.put("cache_misses", misses);
    answer.put("cache_hit_rate", hits + misses == 0 ? 0.0 : (double) hits / (hits + misses));
    answer.put("requests_per_runner", stats.requestsPerServer());
    answer.put("total_requests", stats.totalRequests());
    answer.put("total_errors", stats.totalErrors());
    answer.put("no_runner_available", stats.rejected());
    answer.put("jobs", jobs.size());
    return Reply.json(200, answer);
  }

  Reply cacheEntries(Exchange exchange) throws Exception {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (CachedResult result : cache.entries()) {
      Map<String, Object> entry = result.key().toJson();
      entry.put("created_at", Instant.ofEpochMilli(result.createdAtMillis()).toString());
      entry.put("expires_at", Instant.ofEpochMilli(cache.expiresAtMillis(result)).toString());
      entries.add(entry);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("count", entries.size());
    answer.put("entries", entries);
    return Reply.json(200, answer);
  }
}
