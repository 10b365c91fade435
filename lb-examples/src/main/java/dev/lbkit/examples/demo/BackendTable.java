package dev.lbkit.examples.demo;

import dev.lbkit.core.ServerStats;
import dev.lbkit.core.Stats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The demo's per-backend table, from one {@link Stats} snapshot of a balancer:
 *
 * <pre>
 *   backend    process  health  requests  share    +new  active  errors     p50     p99
 *   backend-1  running  UP          1510    34%     301       1       0  2.1 ms  3.9 ms
 * </pre>
 *
 * {@code health} is what the balancer believes (the health checker's verdict), {@code process} what
 * is true; {@code +new} counts the requests since the previous table; {@code p50} and {@code p99}
 * are the latencies of the calls (leases) the balancer timed, failed ones included.
 */
public final class BackendTable {

  private BackendTable() {}

  /**
   * Renders the table, one line per backend, each line indented and ending with a line break.
   *
   * @param previous requests per server id at the previous table, for the {@code +new} column; null
   *     to leave the column out
   */
  public static String render(
      List<DemoBackend> backends, Stats stats, @Nullable Map<String, Long> previous) {
    long total = Math.max(1, stats.totalRequests());
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "  %-10s %-8s %-6s %9s %6s%s %7s %7s %8s %8s%n",
            "backend",
            "process",
            "health",
            "requests",
            "share",
            previous == null ? "" : String.format(" %7s", "+new"),
            "active",
            "errors",
            "p50",
            "p99"));
    for (DemoBackend backend : backends) {
      ServerStats s = stats.servers().get(backend.server().id());
      if (s == null) {
        continue;
      }
      String fresh =
          previous == null
              ? ""
              : String.format(
                  " %7d", s.requests() - Objects.requireNonNullElse(previous.get(s.id()), 0L));
      out.append(
          String.format(
              "  %-10s %-8s %-6s %9d %5d%%%s %7d %7d %8s %8s%n",
              backend.name(),
              backend.isUp() ? "running" : "killed",
              s.healthy() ? "UP" : "DOWN",
              s.requests(),
              Math.round(100.0 * s.requests() / total),
              fresh,
              s.activeConnections(),
              s.errors(),
              millis(s.p50()),
              millis(s.p99())));
    }
    return out.toString();
  }

  private static String millis(Duration d) {
    return String.format("%.1f ms", d.toNanos() / 1e6);
  }
}
