package dev.lbkit.services.broker.jobs;

import dev.lbkit.services.broker.store.Sandbox;
import dev.lbkit.services.broker.store.Status;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The cleanup job: deletes pending deletions in the CSP (through the retry and the breaker), then
 * forgets them. A deletion first takes a lease on its row (so two instances never delete one
 * sandbox at once); a failed one is due again after a backoff that doubles from {@code
 * firstBackoff} (at most an hour), and after {@code maxAttempts} failures the sandbox is {@code
 * deletion_failed}. An open breaker ends the run without counting against any sandbox.
 */
public final class CleanupJob implements Job {
  private static final int BATCH = 200;
  private static final Duration LEASE = Duration.ofMinutes(5);
  private static final Duration MAX_BACKOFF = Duration.ofHours(1);

  private final JobContext context;
  private final int maxAttempts;
  private final Duration firstBackoff;
  private final Consumer<String> onDeleted;

  /** Creates the job; {@code onDeleted} hears each deleted sandbox's id. */
  public CleanupJob(
      JobContext context, int maxAttempts, Duration firstBackoff, Consumer<String> onDeleted) {
    this.context = context;
    this.maxAttempts = maxAttempts;
    this.firstBackoff = firstBackoff;
    this.onDeleted = onDeleted;
  }

  @Override
  public String name() {
    return "cleanup";
  }

  @Override
  public Map<String, Object> run() {
    long start = context.time().ticker().read();
    Map<String, Object> summary = new LinkedHashMap<>();
    int deleted = 0;
    int failed = 0;
    int gaveUp = 0;
    String outcome = "success";
    try {
      long now = context.time().millis();
      List<Sandbox> due = context.store().dueForDeletion(now, BATCH);
      for (Sandbox sandbox : due) {
        if (!context.store().leaseDeletion(sandbox.id(), now, now + LEASE.toMillis())) {
          continue; // another instance has it
        }
        try {
          context.csp().delete(sandbox.id());
        } catch (CallNotPermittedException e) {
          context.store().releaseDeletion(sandbox.id(), now);
          outcome = "circuit_open";
          break;
        } catch (Throwable e) {
          failed++;
          long backoff = backoff(sandbox.deletionRetryCount() + 1);
          Status status = context.store().deletionFailed(sandbox.id(), now + backoff, maxAttempts);
          if (status == Status.DELETION_FAILED) {
            gaveUp++;
            context
                .log()
                .warn("deletion_failed")
                .field("sandbox_id", sandbox.id())
                .field("attempts", sandbox.deletionRetryCount() + 1)
                .exception(e)
                .write();
          }
          continue;
        }
        if (context.store().deleted(sandbox.id())) {
          deleted++;
          onDeleted.accept(sandbox.id());
        }
      }
      if (failed > 0 && outcome.equals("success")) {
        outcome = deleted > 0 ? "partial" : "error";
      }
    } catch (Exception e) {
      outcome = "error";
      summary.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    summary.put("deleted", deleted);
    summary.put("failed", failed);
    summary.put("deletion_failed", gaveUp);
    context.metrics().cleanup(outcome, deleted, failed);
    context.logRun(name(), "background_cleanup", outcome, start, summary);
    summary.put("outcome", outcome);
    return summary;
  }

  /** The wait after the {@code n}th failure: firstBackoff * 2^(n-1), at most an hour. */
  long backoff(int n) {
    long millis = firstBackoff.toMillis();
    for (int i = 1; i < n && millis < MAX_BACKOFF.toMillis(); i++) {
      millis *= 2;
    }
    return Math.min(millis, MAX_BACKOFF.toMillis());
  }
}
