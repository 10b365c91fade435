package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.Locale;

/** How durations and latencies read in the report. */
final class Durations {

  private Durations() {}

  /** "60 s", "2,000 s", "15 s", "1.5 s", "250 ms". */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 == 0) {
      return String.format(Locale.ROOT, "%,d s", millis / 1000);
    }
    if (millis >= 1000) {
      return String.format(Locale.ROOT, "%,.1f s", millis / 1000.0);
    }
    return millis + " ms";
  }

  /** Nanoseconds as milliseconds with three significant digits or more: "0.812", "53.4", "2000". */
  static String millis(double nanos) {
    double ms = nanos / 1e6;
    if (ms >= 1000) {
      return String.format(Locale.ROOT, "%.0f", ms);
    }
    if (ms >= 100) {
      return String.format(Locale.ROOT, "%.1f", ms);
    }
    if (ms >= 10) {
      return String.format(Locale.ROOT, "%.2f", ms);
    }
    return String.format(Locale.ROOT, "%.3f", ms);
  }
}
