package dev.lbkit.services.router;

/**
 * A completed job's metrics, as the runner answered them (minus its job id and status).
 *
 * @param key the evaluation
 * @param metricsJson the metrics, a JSON object
 * @param createdAtMillis when they were stored, epoch milliseconds
 */
record CachedResult(ResultKey key, String metricsJson, long createdAtMillis) {}
