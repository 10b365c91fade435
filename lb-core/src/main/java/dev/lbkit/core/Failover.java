package dev.lbkit.core;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link LoadBalancer#execute}: a call tried on one server after another under leases, up to a
 * number of attempts and only while the retry budget allows, so retries cannot multiply the load
 * during an outage. Whatever the call throws, {@code Error}s and sneaky checked exceptions
 * included, fails its lease before the lease closes.
 */
final class Failover {

  /** How many server ids a failure message names at most. */
  static final int MAX_IDS_IN_MESSAGE = 8;

  private final LoadBalancer balancer;
  private final RetryBudget budget;
  private final int maxAttempts;

  Failover(LoadBalancer balancer, RetryBudget budget, int maxAttempts) {
    this.balancer = balancer;
    this.budget = budget;
    this.maxAttempts = maxAttempts;
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
          throw balancer.refuse(request);
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
      } finally {
        lease.close(); // after fail(), so the outcome is recorded
      }
    }
    FailoverException failure =
        new FailoverException(
            "call failed on " + tried.size() + " server(s) " + ids(tried), last, tried.size());
    earlier.forEach(failure::addSuppressed);
    throw failure;
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
    return "Failover{attempts=" + maxAttempts + ", " + budget + "}";
  }
}
