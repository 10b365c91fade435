package dev.lbkit.services.broker.jobs;

import dev.lbkit.services.broker.BrokerMetrics;
import dev.lbkit.services.broker.BrokerTime;
import dev.lbkit.services.broker.csp.GuardedCsp;
import dev.lbkit.services.broker.store.SandboxStore;
import dev.lbkit.services.kit.JsonLog;
import java.util.Map;

/** What the jobs share: the store, the CSP, time, meters and the log. */
public record JobContext(
    SandboxStore store, GuardedCsp csp, BrokerTime time, BrokerMetrics metrics, JsonLog log) {

  /** Logs a run's line: request id {@code job-<name>-<millis>}, outcome, latency, summary. */
  void logRun(
      String job, String action, String outcome, long startNanos, Map<String, Object> summary) {
    JsonLog.Line line =
        (outcome.equals("success") ? log.info(action) : log.warn(action))
            .field("request_id", "job-" + job + "-" + time.millis())
            .outcome(outcome)
            .latencyNanos(time.ticker().read() - startNanos);
    summary.forEach(line::field);
    line.write();
    metrics.jobRan(job, time.millis());
  }
}
