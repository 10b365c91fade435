package dev.lbkit.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of a {@link LoadBalancer}'s counters: per server and in total. Taken by
 * {@link LoadBalancer#stats()}; never a live view.
 */
public final class Stats {

  private final Map<String, ServerStats> servers;
  private final Map<String, Long> requestsPerServer;
  private final long rejected;

  Stats(List<ServerStats> servers, long rejected) {
    Map<String, ServerStats> byId = new LinkedHashMap<>();
    Map<String, Long> requests = new LinkedHashMap<>();
    for (ServerStats s : servers) {
      byId.put(s.id(), s);
      requests.put(s.id(), s.requests());
    }
    this.servers = Collections.unmodifiableMap(byId);
    this.requestsPerServer = Collections.unmodifiableMap(requests);
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

  /** Returns the requests routed and leases granted, over all servers. */
  public long totalRequests() {
    return servers.values().stream().mapToLong(ServerStats::requests).sum();
  }

  /** Returns the leases closed with a failure, over all servers. */
  public long totalErrors() {
    return servers.values().stream().mapToLong(ServerStats::errors).sum();
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
