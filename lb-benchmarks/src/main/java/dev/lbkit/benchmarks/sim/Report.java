package dev.lbkit.benchmarks.sim;

import dev.lbkit.benchmarks.MarkdownTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A scenario's outcome as text: the results table, the goals and a p99 bar chart. */
final class Report {

  private Report() {}

  /** One row per case: percentiles (mean over seeds), success, spread of p99, busiest server. */
  static String table(Outcome o) {
    boolean window = o.rows().stream().anyMatch(r -> r.c().simulation().window() != null);
    boolean groups = o.groups().size() > 1 || !o.groups().get(0).isEmpty();
    List<String> header = new ArrayList<>();
    if (groups) {
      header.add(o.scenario().id().equals("E") ? "slow start" : "load");
    }
    header.addAll(
        List.of(
            "algorithm",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "p99.9 ms",
            "success",
            "p99 ms, min - max",
            "busiest server"));
    if (window) {
      header.add("cold server p99 ms, min - max");
    }
    List<List<String>> rows = new ArrayList<>();
    for (Outcome.Row row : o.rows()) {
      Results r = row.results();
      List<String> cells = new ArrayList<>();
      if (groups) {
        cells.add(row.c().group());
      }
      cells.add(row.c().policy());
      cells.add(millis(r.p50().mean()));
      cells.add(millis(r.p90().mean()));
      cells.add(millis(r.p99().mean()));
      cells.add(millis(r.p999().mean()));
      cells.add(percent(r.successRate().mean()));
      cells.add(millis(r.p99().min()) + " - " + millis(r.p99().max()));
      cells.add(busiest(r));
      if (window) {
        Results.Spread w = r.windowP99();
        cells.add(millis(w.mean()) + " (" + millis(w.min()) + " - " + millis(w.max()) + ")");
      }
      rows.add(cells);
    }
    return MarkdownTable.render(header, rows, groups ? 2 : 1);
  }

  /** The busiest server's utilization, mean over seeds, or "-" for unlimited servers. */
  private static String busiest(Results r) {
    Results.Spread s =
        r.of(
            run -> {
              double max = 0;
              for (double u : run.utilizations()) {
                max = Math.max(max, u);
              }
              return max;
            });
    return Double.isNaN(s.mean()) || s.mean() == 0 ? "-" : percentShort(s.mean());
  }

  static String goals(List<Goals.Goal> goals) {
    List<List<String>> rows = new ArrayList<>();
    for (Goals.Goal g : goals) {
      rows.add(List.of(g.goal(), g.measured(), g.met() ? "yes" : "NO"));
    }
    return MarkdownTable.render(List.of("goal", "measured", "met"), rows, 1);
  }

  /**
   * A horizontal bar per case of its mean p99, one block per group, on a log scale from the
   * scenario's lowest p99 (so a diverging round robin does not flatten the others).
   */
  static String chart(Outcome o) {
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    int width = 0;
    for (Outcome.Row r : o.rows()) {
      double v = r.results().p99().mean();
      min = Math.min(min, v);
      max = Math.max(max, v);
      width = Math.max(width, r.c().policy().length());
    }
    double span = Math.log(max / min);
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%s: p99 per algorithm, log scale from %s ms (one # per step of %s)%n",
            o.scenario().id(),
            millis(min),
            span > 0
                ? String.format(Locale.ROOT, "%.1f%%", (Math.exp(span / 50) - 1) * 100)
                : "-"));
    for (String group : o.groups()) {
      if (!group.isEmpty()) {
        out.append(group).append('\n');
      }
      for (Outcome.Row r : o.rows()) {
        if (!r.c().group().equals(group)) {
          continue;
        }
        double v = r.results().p99().mean();
        int bar = span > 0 ? 1 + (int) Math.round(49 * Math.log(v / min) / span) : 1;
        out.append(
            String.format(
                Locale.ROOT,
                "  %-" + width + "s |%s %s ms%n",
                r.c().policy(),
                "#".repeat(bar),
                millis(v)));
      }
    }
    return out.toString();
  }

  /** Nanoseconds as milliseconds with about three significant digits: "0.812", "53.4", "2000". */
  static String millis(double nanos) {
    if (Double.isNaN(nanos)) {
      return "-";
    }
    double ms = nanos / 1e6;
    if (ms >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", ms);
    }
    if (ms >= 100) {
      return String.format(Locale.ROOT, "%.1f", ms);
    }
    if (ms >= 10) {
      return String.format(Locale.ROOT, "%.2f", ms);
    }
    return String.format(Locale.ROOT, "%.3f", ms);
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.3f%%", share * 100);
  }

  static String percentShort(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }
}
