package dev.lbkit.examples.http;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Just enough JSON for the examples' wire formats. {@link #write} writes maps, iterables, strings,
 * numbers, booleans and null, nested as deep as you like; {@link #parseObject} reads one
 * <em>flat</em> object (string keys; string, number, boolean or null values), which is all a
 * request body or a backend's answer needs here. Stateless and thread-safe.
 *
 * <pre>{@code
 * Json.write(Map.of("job_id", "j-1", "active_jobs", 2))  // {"job_id":"j-1","active_jobs":2}
 * Json.parseObject("{\"a\": 1, \"b\": null}")           // {a=1}: a null value reads as absent
 * }</pre>
 */
public final class Json {

  private Json() {}

  // ---------------------------------------------------------------- writing

  /**
   * Returns {@code value} as JSON text. Map keys are written with {@link String#valueOf}.
   *
   * @throws IllegalArgumentException if {@code value} holds anything but maps, iterables, strings,
   *     numbers, booleans and null, or a non-finite number
   */
  public static String write(@Nullable Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(@Nullable Object value, StringBuilder out) {
    if (value == null || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof String) {
      quote((String) value, out);
    } else if (value instanceof Number) {
      if ((value instanceof Double || value instanceof Float)
          && !Double.isFinite(((Number) value).doubleValue())) {
        throw new IllegalArgumentException("value: " + value + " (expected: a finite number)");
      }
      out.append(value);
    } else if (value instanceof Map) {
      out.append('{');
      String separator = "";
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        out.append(separator);
        quote(String.valueOf(e.getKey()), out);
        out.append(':');
        write(e.getValue(), out);
        separator = ",";
      }
      out.append('}');
    } else if (value instanceof Iterable) {
      out.append('[');
      String separator = "";
      for (Object element : (Iterable<?>) value) {
        out.append(separator);
        write(element, out);
        separator = ",";
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException(
          "value: a " + value.getClass().getName() + " (expected: a JSON value)");
    }
  }

  /** Returns {@code s} as a JSON string literal. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2);
    quote(s, out);
    return out.toString();
  }

  /**
   * Appends {@code s} as a JSON string literal; U+2028 and U+2029 are escaped too, so the text is
   * also safe inside JavaScript.
   */
  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  // ---------------------------------------------------------------- reading

  /**
   * Parses one flat JSON object. Strings come back as {@code String}, integers that fit as {@code
   * Long}, other numbers as {@code Double}, booleans as {@code Boolean}; a member whose value is
   * {@code null} is left out. The result is unmodifiable and keeps the members' order.
   *
   * @throws IllegalArgumentException if {@code text} is not one JSON object with scalar values, or
   *     repeats a key; the message gives the position, never the text itself
   * @throws NullPointerException if {@code text} is null
   */
  public static Map<String, Object> parseObject(String text) {
    return new Parser(Objects.requireNonNull(text, "text")).object();
  }

  /**
   * Returns the string member {@code name} of a parsed object.
   *
   * @throws IllegalArgumentException if it is missing or not a string, naming it
   */
  public static String string(Map<String, Object> object, String name) {
    Object value = object.get(name);
    if (!(value instanceof String)) {
      throw new IllegalArgumentException(name + ": " + describe(value) + " (expected: a string)");
    }
    return (String) value;
  }

  /**
   * Returns the integer member {@code name} of a parsed object.
   *
   * @throws IllegalArgumentException if it is missing or not an integer, naming it
   */
  public static long integer(Map<String, Object> object, String name) {
    Object value = object.get(name);
    if (!(value instanceof Long)) {
      throw new IllegalArgumentException(name + ": " + describe(value) + " (expected: an integer)");
    }
    return (Long) value;
  }

  private static String describe(@Nullable Object value) {
    return value == null ? "missing" : "a " + value.getClass().getSimpleName();
  }

  /** A recursive-descent reader over one object; positions in messages are 0-based. */
  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    Map<String, Object> object() {
      Map<String, Object> members = new LinkedHashMap<>();
      Set<String> keys = new HashSet<>(); // null members included
      skipSpace();
      expect('{');
      skipSpace();
      if (peek() == '}') {
        pos++;
      } else {
        while (true) {
          skipSpace();
          int keyAt = pos;
          String key = string();
          skipSpace();
          expect(':');
          skipSpace();
          Object value = scalar();
          if (!keys.add(key)) {
            throw error("no repeated key at " + keyAt);
          }
          if (value != null) {
            members.put(key, value);
          }
          skipSpace();
          if (peek() == ',') {
            pos++;
          } else {
            expect('}');
            break;
          }
        }
      }
      skipSpace();
      if (pos != text.length()) {
        throw error("the end of the text at " + pos);
      }
      return Collections.unmodifiableMap(members);
    }

    private @Nullable Object scalar() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (c == '-' || (c >= '0' && c <= '9')) {
        return number();
      }
      if (text.startsWith("true", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (text.startsWith("false", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      if (text.startsWith("null", pos)) {
        pos += 4;
        return null;
      }
      throw error(c == '{' || c == '[' ? "a scalar value (nested values are not read)" : "a value");
    }

    private String string() {
      expect('"');
      StringBuilder s = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return s.toString();
        }
        if (c < 0x20) {
          throw error("no raw control character in a string at " + (pos - 1));
        }
        if (c != '\\') {
          s.append(c);
          continue;
        }
        char escaped = next();
        switch (escaped) {
          case '"':
          case '\\':
          case '/':
            s.append(escaped);
            break;
          case 'b':
            s.append('\b');
            break;
          case 'f':
            s.append('\f');
            break;
          case 'n':
            s.append('\n');
            break;
          case 'r':
            s.append('\r');
            break;
          case 't':
            s.append('\t');
            break;
          case 'u':
            if (pos + 4 > text.length()) {
              throw error("4 hex digits at " + pos);
            }
            try {
              s.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            } catch (NumberFormatException e) {
              throw error("4 hex digits at " + pos);
            }
            pos += 4;
            break;
          default:
            throw error("an escape character at " + (pos - 1));
        }
      }
    }

    private Object number() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      int digits = pos;
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
      if (pos == digits || (text.charAt(digits) == '0' && pos - digits > 1)) {
        throw error("a number at " + start);
      }
      boolean integral = true;
      if (pos < text.length() && text.charAt(pos) == '.') {
        integral = false;
        pos++;
        requireDigits(start);
      }
      if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
        integral = false;
        pos++;
        if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
          pos++;
        }
        requireDigits(start);
      }
      String literal = text.substring(start, pos);
      if (integral) {
        try {
          return Long.parseLong(literal);
        } catch (NumberFormatException tooBig) {
          return new BigDecimal(literal).doubleValue();
        }
      }
      return Double.parseDouble(literal);
    }

    private void requireDigits(int start) {
      int from = pos;
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
      if (pos == from) {
        throw error("a number at " + start);
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9'; // ASCII only, as JSON says
    }

    private void skipSpace() {
      while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
    }

    private char peek() {
      if (pos >= text.length()) {
        throw error("more text at " + pos);
      }
      return text.charAt(pos);
    }

    private char next() {
      char c = peek();
      pos++;
      return c;
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("'" + c + "' at " + pos);
      }
      pos++;
    }

    private static IllegalArgumentException error(String expected) {
      return new IllegalArgumentException(
          "JSON: not an object of scalars (expected: " + expected + ")");
    }
  }
}
