package dev.lbkit.benchmarks.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The p99 chart, {@code docs/simulation-p99.svg}: one panel per scenario, each with its own linear
 * millisecond axis (scenario A's 2 s tail would flatten B's bars on a shared one), one bar per
 * algorithm labelled with its value. Hand-written SVG 1.1, no script, no external fonts.
 */
final class P99Chart {

  private static final int PANEL_WIDTH = 430;
  private static final int PLOT_WIDTH = 340;
  private static final int LEFT = 80;
  private static final int TOP = 90;
  private static final int PLOT_HEIGHT = 280;
  private static final int HEIGHT = 470;

  private P99Chart() {}

  /** Renders the chart of {@code results}, grouped by scenario in the order they appear. */
  static String svg(List<Result> results) {
    List<List<Result>> panels = byScenario(results);
    int width = LEFT + panels.size() * PANEL_WIDTH;
    StringBuilder svg = new StringBuilder();
    svg.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\""
                    + " font-size=\"12\">\n",
                width,
                HEIGHT,
                width,
                HEIGHT))
        .append("  <title>p99 latency per algorithm and scenario</title>\n")
        .append(
            String.format(
                Locale.ROOT,
                "  <rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
                width,
                HEIGHT))
        .append(
            text(
                width / 2.0,
                30,
                "middle",
                "font-size=\"17\" font-weight=\"bold\"",
                "p99 latency per algorithm (lower is better)"))
        .append(
            text(
                width / 2.0,
                50,
                "middle",
                "fill=\"#555\"",
                "mean over each scenario's seeds; each panel has its own scale"));
    for (int p = 0; p < panels.size(); p++) {
      panel(svg, panels.get(p), LEFT + p * PANEL_WIDTH);
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void panel(StringBuilder svg, List<Result> results, int x0) {
    Scenario scenario = results.get(0).scenario();
    double maxMs = results.stream().mapToDouble(r -> r.p99Nanos() / 1e6).max().orElse(1);
    double step = niceStep(maxMs / 5);
    double top = Math.ceil(maxMs * 1.08 / step) * step;
    int bottom = TOP + PLOT_HEIGHT;
    svg.append(
        text(
            x0 + PLOT_WIDTH / 2.0,
            TOP - 22,
            "middle",
            "font-size=\"14\" font-weight=\"bold\"",
            scenario.id() + ": " + scenario.title()));
    for (double tick = 0; tick <= top + step / 2; tick += step) {
      double y = bottom - tick / top * PLOT_HEIGHT;
      svg.append(line(x0, y, x0 + PLOT_WIDTH, y, tick == 0 ? "#333" : "#ddd"))
          .append(text(x0 - 6, y + 4, "end", "", number(tick)));
    }
    svg.append(line(x0, TOP, x0, bottom, "#333"));
    double yMid = TOP + PLOT_HEIGHT / 2.0;
    svg.append(
        String.format(
            Locale.ROOT,
            "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">"
                + "p99 latency (ms)</text>\n",
            x0 - 52.0,
            yMid,
            x0 - 52.0,
            yMid));
    double slot = (double) PLOT_WIDTH / results.size();
    double barWidth = slot * 0.7;
    for (int i = 0; i < results.size(); i++) {
      Result r = results.get(i);
      double ms = r.p99Nanos() / 1e6;
      double h = ms / top * PLOT_HEIGHT;
      double x = x0 + i * slot + (slot - barWidth) / 2;
      svg.append(
              String.format(
                  Locale.ROOT,
                  "  <rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                      + "<title>%s: p99 %s ms</title></rect>\n",
                  x,
                  bottom - h,
                  barWidth,
                  h,
                  color(r.policy()),
                  escape(r.policy().label()),
                  Durations.millis(r.p99Nanos())))
          .append(
              text(x + barWidth / 2, bottom - h - 5, "middle", "", Durations.millis(r.p99Nanos())))
          .append(text(x + barWidth / 2, bottom + 18, "middle", "", r.policy().shortLabel()))
          .append(
              text(
                  x + barWidth / 2,
                  bottom + 38,
                  "middle",
                  "fill=\"#555\" font-size=\"11\"",
                  String.format(Locale.ROOT, "%.2f%%", r.successRate() * 100)));
    }
    svg.append(text(x0 - 6, bottom + 38, "end", "fill=\"#555\" font-size=\"11\"", "success"))
        .append(text(x0 - 6, bottom + 51, "end", "fill=\"#555\" font-size=\"11\"", "(≤ 1 s)"))
        .append(text(x0 + PLOT_WIDTH / 2.0, bottom + 72, "middle", "", "algorithm"));
  }

  private static List<List<Result>> byScenario(List<Result> results) {
    List<List<Result>> panels = new ArrayList<>();
    for (Result r : results) {
      List<Result> last = panels.isEmpty() ? null : panels.get(panels.size() - 1);
      if (last != null && last.get(0).scenario() == r.scenario()) {
        last.add(r);
      } else {
        List<Result> panel = new ArrayList<>();
        panel.add(r);
        panels.add(panel);
      }
    }
    return panels;
  }

  /** Tableau 10's first five colours. */
  private static String color(Policy policy) {
    switch (policy) {
      case ROUND_ROBIN:
        return "#4e79a7";
      case RANDOM:
        return "#f28e2b";
      case LEAST_CONNECTIONS:
        return "#59a14f";
      case POWER_OF_TWO_CHOICES:
        return "#e15759";
      case PEAK_EWMA:
        return "#76b7b2";
    }
    throw new AssertionError(policy);
  }

  /** 1, 2, 2.5 or 5 times a power of ten, at least {@code rough}. */
  static double niceStep(double rough) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double factor : new double[] {1, 2, 2.5, 5, 10}) {
      if (factor * magnitude >= rough) {
        return factor * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String number(double value) {
    return value == Math.rint(value)
        ? String.format(Locale.ROOT, "%.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String line(double x1, double y1, double x2, double y2, String color) {
    return String.format(
        Locale.ROOT,
        "  <line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
        x1,
        y1,
        x2,
        y2,
        color);
  }

  private static String text(double x, double y, String anchor, String attributes, String text) {
    return String.format(
        Locale.ROOT,
        "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>\n",
        x,
        y,
        anchor,
        attributes.isEmpty() ? "" : " " + attributes,
        escape(text));
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
