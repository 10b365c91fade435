package dev.lbkit.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of a {@link LoadBalancer}'s counters: a row per member server, and totals
 * over the balancer's life that never go down, whatever servers came and went. Taken by {@link
 * LoadBalancer#stats()}; never a live view.
 */
public final class Stats {

  private final Map<String, ServerStats> servers;
  private final Map<String, Long> requestsPerServer;
  private final long totalRequests;
  private final long totalErrors;
  private final long totalCompleted;
  private final long rejected;

  Stats(
      List<ServerStats> servers,
      long totalRequests,
      long totalErrors,
      long totalCompleted,
      long rejected) {
    Map<String, ServerStats> byId = new LinkedHashMap<>();
    Map<String, Long> requests = new LinkedHashMap<>();
    for (ServerStats s : servers) {
      byId.put(s.id(), s);
      requests.put(s.id(), s.requests());
    }
    this.servers = Collections.unmodifiableMap(byId);
    this.requestsPerServer = Collections.unmodifiableMap(requests);
    this.totalRequests = totalRequests;
    this.totalErrors = totalErrors;
    this.totalCompleted = totalCompleted;
    this.rejected = rejected;
  }

  /** Returns requests routed (and leases granted) per server id, in membership order. */
  public Map<String, Long> requestsPerServer() {
    return requestsPerServer;
  }

  /** Returns each server's stats by id, in membership order. */
  public Map<String, ServerStats> servers() {
    return servers;
  }

  /**
   * Returns the requests routed and leases granted over the balancer's life, on servers that have
   * left since included: it never goes down, so it can feed a counter. A server's requests join the
   * total of those that left when it leaves; one routed to it in that very instant may be missed.
   * Read a moment before the rows, it may differ from their sum by requests in flight.
   */
  public long totalRequests() {
    return totalRequests;
  }

  /** Returns the leases closed with a failure over the balancer's life; never goes down. */
  public long totalErrors() {
    return totalErrors;
  }

  /** Returns the leases closed over the balancer's life; never goes down. */
  public long totalCompleted() {
    return totalCompleted;
  }

  /** Returns the connections active now, over all servers. */
  public long activeConnections() {
    return servers.values().stream().mapToLong(ServerStats::activeConnections).sum();
  }

  /** Returns the requests that found no admissible server (route empty, acquire failed). */
  public long rejected() {
    return rejected;
  }

  @Override
  public String toString() {
    return "Stats{requests="
        + totalRequests()
        + ", errors="
        + totalErrors()
        + ", rejected="
        + rejected
        + ", servers="
        + servers.values()
        + "}";
  }
}
