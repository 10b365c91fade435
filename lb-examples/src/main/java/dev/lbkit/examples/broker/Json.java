package dev.lbkit.examples.broker;

import org.jspecify.annotations.Nullable;

/**
 * Writes one flat JSON object, field by field, in the order given: all the broker's responses need.
 * Strings are quoted by the examples' shared {@link dev.lbkit.examples.http.Json}.
 */
final class Json {

  private final StringBuilder out = new StringBuilder("{");

  private Json() {}

  /** Starts an object. */
  static Json object() {
    return new Json();
  }

  /** Adds a string field, or null. */
  Json field(String name, @Nullable String value) {
    return raw(name, value == null ? "null" : quote(value));
  }

  /** Adds a number field. */
  Json field(String name, long value) {
    return raw(name, Long.toString(value));
  }

  /** Adds a boolean field. */
  Json field(String name, boolean value) {
    return raw(name, Boolean.toString(value));
  }

  /** Adds a field whose value is JSON already (an array, an object). */
  Json raw(String name, String json) {
    if (out.length() > 1) {
      out.append(',');
    }
    out.append(quote(name)).append(':').append(json);
    return this;
  }

  /** Returns the object. */
  String end() {
    return out.append('}').toString();
  }

  private static String quote(String s) {
    return dev.lbkit.examples.http.Json.quote(s);
  }
}
