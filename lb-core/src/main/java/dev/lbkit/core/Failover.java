package dev.lbkit.core;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@link LoadBalancer#execute}: a call tried on one server after another under leases, up to a
 * number of attempts, only for failures the {@link RetryRule} retries, and only while the retry
 * budget allows, so retries cannot multiply the load during an outage. Whatever the call throws,
 * {@code Error}s and sneaky checked exceptions included, fails its lease before the lease closes.
 * {@link AsyncFailover} runs the same policy on stages.
 */
final class Failover {

  /** How many server ids a failure message names at most. */
  static final int MAX_IDS_IN_MESSAGE = 8;

  final LoadBalancer balancer;
  final RetryBudget budget;
  final int maxAttempts;
  private final RetryRule rule;

  Failover(LoadBalancer balancer, RetryBudget budget, int maxAttempts, RetryRule rule) {
    this.balancer = balancer;
    this.budget = budget;
    this.maxAttempts = maxAttempts;
    this.rule = rule;
  }

  /**
   * Whether the rule retries {@code failure}; a rule that throws says no, and what it threw is
   * suppressed in {@code failure}.
   */
  boolean retryable(Request request, Throwable failure) {
    try {
      return rule.shouldRetry(request, failure);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
      return false;
    }
  }

  /** The exception of a call that failed on {@code tried}: {@code last} its cause. */
  static FailoverException failed(
      List<Server> tried, @Nullable Throwable last, List<Throwable> earlier) {
    FailoverException failure =
        new FailoverException(
            "call failed on " + tried.size() + " server(s) " + ids(tried), last, tried.size());
    earlier.forEach(failure::addSuppressed);
    return failure;
  }

  <T> T execute(Request request, BackendCall<T> call) {
    budget.recordRequest();
    List<Server> tried = new ArrayList<>(Math.min(maxAttempts, 16));
    Throwable last = null;
    List<Throwable> earlier = new ArrayList<>();
    while (tried.size() < maxAttempts) {
      if (!tried.isEmpty() && !budget.tryRetry()) {
        break;
      }
      Lease lease = balancer.tryLease(request, tried.isEmpty() ? null : tried);
      if (lease == null) {
        if (tried.isEmpty()) {
          throw balancer.refuse(request, null);
        }
        break;
      }
      tried.add(lease.server());
      try {
        return call.call(lease.server());
      } catch (Throwable e) { // an Error or a sneaky checked exception is a failure too
        lease.fail(e);
        if (e instanceof Error) {
          throw (Error) e;
        }
        if (last != null) {
          earlier.add(last);
        }
        last = e;
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          break; // the caller wants to stop: no retry
        }
        if (!retryable(request, e)) {
          break;
        }
      } finally {
        lease.close(); // after fail(), so the outcome is recorded
      }
    }
    throw failed(tried, last, earlier);
  }

  /** The ids of {@code servers}, at most {@link #MAX_IDS_IN_MESSAGE} of them, for a message. */
  static String ids(List<Server> servers) {
    StringBuilder ids = new StringBuilder("[");
    int shown = Math.min(servers.size(), MAX_IDS_IN_MESSAGE);
    for (int i = 0; i < shown; i++) {
      ids.append(i == 0 ? "" : ", ").append(servers.get(i).id());
    }
    if (servers.size() > shown) {
      ids.append(", ... ").append(servers.size() - shown).append(" more");
    }
    return ids.append(']').toString();
  }

  @Override
  public String toString() {
    return "Failover{attempts=" + maxAttempts + ", " + rule + ", " + budget + "}";
  }
}
