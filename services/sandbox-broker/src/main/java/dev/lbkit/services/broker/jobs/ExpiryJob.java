package dev.lbkit.services.broker.jobs;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The expiry job (the seed's safety net): allocations older than the lease TTL (4.5 h) move to
 * pending deletion, so a track that crashed does not keep its sandbox; the cleanup job deletes it.
 */
public final class ExpiryJob implements Job {
  private final JobContext context;
  private final Duration ttl;

  /** Creates the job. */
  public ExpiryJob(JobContext context, Duration ttl) {
    this.context = context;
    this.ttl = ttl;
  }

  @Override
  public String name() {
    return "expiry";
  }

  @Override
  public Map<String, Object> run() {
    long start = context.time().ticker().read();
    Map<String, Object> summary = new LinkedHashMap<>();
    String outcome;
    int marked = 0;
    try {
      long now = context.time().millis();
      marked = context.store().expire(now - ttl.toMillis(), now);
      summary.put("expired", marked);
      outcome = "success";
    } catch (Exception e) {
      outcome = "error";
      summary.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    context.metrics().expiry(outcome, marked);
    context.logRun(name(), "auto_expiry", outcome, start, summary);
    summary.put("outcome", outcome);
    return summary;
  }
}
