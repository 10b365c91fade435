package dev.lbkit.benchmarks.placement;

import java.time.Duration;
import java.util.Locale;

/** How the report writes numbers. */
final class Format {

  /** What a cell shows when nothing was measured. */
  static final String MISSING = "–";

  private Format() {}

  /** Three significant digits up to 100, whole numbers (with thousands separators) above. */
  static String number(double value) {
    double magnitude = Math.abs(value);
    int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }

  /** Returns "28.1 ± 1.2" (ns), or "28.1" if the error is NaN. */
  static String nanos(Cost cost) {
    return withError(cost.nanos(), cost.error(), 1);
  }

  /** Returns a time in a fitting unit with its error: "850 ± 20 ns", "12.3 ± 0.4 µs", "1.82 ms". */
  static String time(Cost cost) {
    double nanos = cost.nanos();
    if (nanos < 1e3) {
      return withError(nanos, cost.error(), 1) + " ns";
    }
    if (nanos < 1e6) {
      return withError(nanos, cost.error(), 1e3) + " µs";
    }
    return withError(nanos, cost.error(), 1e6) + " ms";
  }

  private static String withError(double value, double error, double unit) {
    String text = number(value / unit);
    return Double.isNaN(error) ? text : text + " ± " + number(error / unit);
  }

  /** Returns bytes per operation: "0 B" below 0.5, then "312 B", "12.3 KiB", "2.10 MiB". */
  static String bytes(double bytes) {
    if (Double.isNaN(bytes)) {
      return MISSING;
    }
    if (bytes < 1024) {
      return String.format(Locale.ROOT, "%.0f B", bytes < 0.5 ? 0.0 : bytes);
    }
    if (bytes < 1024 * 1024) {
      return number(bytes / 1024) + " KiB";
    }
    return number(bytes / (1024 * 1024)) + " MiB";
  }

  /** Returns a ratio: "1.032" near 1, where the third decimal matters; "1.54", "12.3", "999". */
  static String ratio(double ratio) {
    return ratio < 1.1 && ratio > 0.9 ? String.format(Locale.ROOT, "%.3f", ratio) : number(ratio);
  }

  /** Returns a fraction as a percentage: "0" if exactly 0, "<0.01%", "0.57%", "12.5%". */
  static String percent(double fraction) {
    if (fraction == 0) {
      return "0";
    }
    double p = fraction * 100;
    if (p < 0.01) {
      return "<0.01%";
    }
    return String.format(Locale.ROOT, p < 10 ? "%.2f%%" : "%.1f%%", p);
  }

  /** Returns a run's length: "42 s", or "4.2 min" from two minutes on. */
  static String elapsed(Duration d) {
    return d.compareTo(Duration.ofMinutes(2)) < 0
        ? d.toSeconds() + " s"
        : String.format(Locale.ROOT, "%.1f min", d.toMillis() / 60_000.0);
  }

  /** Returns "1,000". */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
