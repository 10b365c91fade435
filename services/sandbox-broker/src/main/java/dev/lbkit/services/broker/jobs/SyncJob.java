package dev.lbkit.services.broker.jobs;

import dev.lbkit.services.broker.csp.CspSandbox;
import dev.lbkit.services.broker.store.SandboxStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sync job: reads the CSP's list and brings the store in line with it: new sandboxes are added
 * as available, available ones the CSP no longer lists become stale (and available again if they
 * come back). Allocations and pending deletions are never touched.
 */
public final class SyncJob implements Job {
  private final JobContext context;

  /** Creates the job. */
  public SyncJob(JobContext context) {
    this.context = context;
  }

  @Override
  public String name() {
    return "sync";
  }

  @Override
  public Map<String, Object> run() {
    long start = context.time().ticker().read();
    Map<String, Object> summary = new LinkedHashMap<>();
    String outcome;
    int added = 0;
    int staled = 0;
    try {
      List<CspSandbox> listed = context.csp().list();
      SandboxStore.SyncResult result = context.store().sync(listed, context.time().millis());
      added = result.added();
      staled = result.staled();
      summary.put("listed", listed.size());
      summary.put("added", added);
      summary.put("staled", staled);
      summary.put("revived", result.revived());
      outcome = "success";
    } catch (CallNotPermittedException e) {
      outcome = "circuit_open";
    } catch (Throwable e) {
      outcome = "error";
      summary.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    context.metrics().sync(outcome, added, staled);
    context.logRun(name(), "background_sync", outcome, start, summary);
    summary.put("outcome", outcome);
    return summary;
  }
}
