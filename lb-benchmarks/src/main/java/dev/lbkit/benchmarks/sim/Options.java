package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --key value} options of one {@link Simulate} command, each read at most once with its
 * default; a bad value or an unknown key is an {@link IllegalArgumentException} whose message names
 * the option and the value.
 */
final class Options {

  private final Map<String, String> values = new LinkedHashMap<>();

  private Options() {}

  /**
   * Parses {@code args} (without the scenario), accepting only {@code known} keys.
   *
   * @throws IllegalArgumentException on an unknown key, a key without a value, or a repeated key
   */
  static Options parse(String[] args, int from, Set<String> known) {
    Options options = new Options();
    for (int i = from; i < args.length; i += 2) {
      String key = args[i];
      if (!key.startsWith("--") || !known.contains(key.substring(2))) {
        throw new IllegalArgumentException(
            "unknown option: " + key + " (expected one of: --" + String.join(", --", known) + ")");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(key + ": no value (expected: " + key + " <value>)");
      }
      if (options.values.put(key.substring(2), args[i + 1]) != null) {
        throw new IllegalArgumentException(key + ": given twice");
      }
    }
    return options;
  }

  /** Whether {@code key} was given. */
  boolean has(String key) {
    return values.containsKey(key);
  }

  /** The integer {@code key} in [min, max], or {@code fallback}. */
  int integer(String key, int fallback, int min, int max) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.replace("_", ""));
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(key, v, "an integer in [" + min + ", " + max + "]");
  }

  /** The long {@code key}, or {@code fallback}. */
  long longValue(String key, long fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw bad(key, v, "an integer");
    }
  }

  /** The number {@code key} strictly between {@code low} and {@code high}, or {@code fallback}. */
  double number(String key, double fallback, double low, double high) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      double x = Double.parseDouble(v);
      if (x > low && x < high) {
        return x;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(key, v, String.format(Locale.ROOT, "a number in (%s, %s)", trim(low), trim(high)));
  }

  /** A positive number of seconds {@code key}, or {@code fallback}. */
  Duration seconds(String key, Duration fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      double s = Double.parseDouble(v);
      if (s > 0 && s < 1e9) {
        return Duration.ofNanos(Math.round(s * 1e9));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(key, v, "a positive number of seconds");
  }

  /** The text {@code key}, or {@code fallback}. */
  String text(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  static IllegalArgumentException bad(String key, String value, String expected) {
    return new IllegalArgumentException(
        "--" + key + ": " + value + " (expected: " + expected + ")");
  }

  private static String trim(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
  }
}
