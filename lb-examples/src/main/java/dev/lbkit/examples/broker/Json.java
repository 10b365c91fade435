package dev.lbkit.examples.broker;

import org.jspecify.annotations.Nullable;

/** Writes one flat JSON object, field by field: all the broker's responses need. Not reusable. */
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

  /** Returns {@code s} as a JSON string literal. */
  static String quote(String s) {
    StringBuilder q = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          q.append("\\\"");
          break;
        case '\\':
          q.append("\\\\");
          break;
        case '\n':
          q.append("\\n");
          break;
        case '\r':
          q.append("\\r");
          break;
        case '\t':
          q.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            q.append(String.format("\\u%04x", (int) c));
          } else {
            q.append(c);
          }
      }
    }
    return q.append('"').toString();
  }
}
