package dev.lbkit.core.internal;

import java.net.IDN;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The normal form of a server's host: what a {@code Server}'s identity is built from, so that two
 * spellings of one host make one server.
 *
 * <ul>
 *   <li><b>A DNS name</b>: ASCII letters, digits, {@code -}, {@code _} and dots; labels of 1 to 63
 *       characters, at most 253 characters in all, plus one trailing dot (an absolute name, kept as
 *       given). Lower-cased: DNS names are case-insensitive. An internationalised name ({@code
 *       bücher.example}) becomes its ASCII form ({@code xn--bcher-kva.example}) by IDNA 2003's
 *       ToASCII ({@link java.net.IDN#toASCII(String)}), which also maps full-width letters and the
 *       ideographic full stop; so both spellings make one server, and what is dialled is ASCII.
 *   <li><b>An IPv4 address</b>: four decimal numbers 0 to 255 without leading zeros, as given. A
 *       name whose last label is all digits must be one: {@code 127.1}, {@code 2130706433} and
 *       {@code 010.0.0.1} are rejected, since resolvers read them as {@code 127.0.0.1} or in octal.
 *   <li><b>An IPv6 literal</b>, bare ({@code ::1}) or bracketed ({@code [::1]}): rewritten to its
 *       RFC 5952 text (lower-case hex, no leading zeros, the longest run of two or more zero groups
 *       as {@code ::}, the first if tied), without brackets. An IPv4-mapped address ({@code
 *       ::ffff:10.0.0.1}) becomes the IPv4 address it maps ({@code 10.0.0.1}), which is what a
 *       dual-stack socket connects to. A zone id ({@code fe80::1%eth0}) is kept, verbatim: 1 to 64
 *       of ASCII letters, digits, {@code -}, {@code .}, {@code _} and {@code ~}; it is not
 *       percent-decoded and keeps its case, since interface names are case-sensitive.
 * </ul>
 *
 * <p>Anything else is rejected: a blank host, whitespace or control characters, a port ({@code
 * 10.0.0.1:8080}, {@code [::1]:80}), a path or user info. Parsing is purely textual: no name is
 * ever looked up. Error messages quote at most 64 characters of the host, with control characters
 * escaped, so a message stays short whatever was passed.
 *
 * <p>Thread-safe: stateless.
 */
public final class HostNames {

  /** The longest DNS name, in characters, without a trailing dot. */
  public static final int MAX_NAME_LENGTH = 253;

  private static final int MAX_LABEL_LENGTH = 63;
  private static final int MAX_ZONE_LENGTH = 64;
  private static final int QUOTED_CHARS = 64;

  private static final String NAME =
      "a DNS name of letters, digits, '-', '_' and '.', an IPv4 address or an IPv6 literal";
  private static final String NO_PORT =
      "no port (it is a separate argument); an IPv6 literal, bare or in brackets";

  private HostNames() {}

  /**
   * Returns the normal form of {@code host}, as described in the class comment.
   *
   * @throws NullPointerException if {@code host} is null
   * @throws IllegalArgumentException if {@code host} is not a DNS name, an IPv4 address or an IPv6
   *     literal; the message names {@code host} and quotes (part of) it
   */
  public static String normalize(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw invalid(host, "not blank");
    }
    if (host.length() > MAX_NAME_LENGTH + 1) {
      throw invalid(host, "at most " + MAX_NAME_LENGTH + " characters");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        throw invalid(host, "no whitespace or control characters");
      }
    }
    if (host.charAt(0) == '[') {
      int end = host.length() - 1;
      if (end < 1 || host.charAt(end) != ']') {
        throw invalid(host, host.indexOf(']') > 0 ? NO_PORT : "an IPv6 literal in brackets");
      }
      String literal = ipv6(host.substring(1, end));
      if (literal == null) {
        throw invalid(host, "an IPv6 literal in brackets");
      }
      return literal;
    }
    if (host.indexOf(':') >= 0) {
      String literal = ipv6(host);
      if (literal == null) {
        throw invalid(host, NO_PORT);
      }
      return literal;
    }
    return nameOrIpv4(isAscii(host) ? host : idnToAscii(host));
  }

  private static boolean isAscii(String host) {
    for (int i = 0; i < host.length(); i++) {
      if (host.charAt(i) > 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** An internationalised name's ASCII ({@code xn--}) form, as a resolver is asked for it. */
  private static String idnToAscii(String host) {
    try {
      return IDN.toASCII(host);
    } catch (IllegalArgumentException e) {
      throw invalid(host, "an internationalised DNS name that IDNA can convert to ASCII");
    }
  }

  private static String nameOrIpv4(String host) {
    int end = host.endsWith(".") ? host.length() - 1 : host.length();
    if (end == 0 || end > MAX_NAME_LENGTH) {
      throw invalid(host, "a DNS name of 1 to " + MAX_NAME_LENGTH + " characters");
    }
    int labelStart = 0;
    for (int i = 0; i <= end; i++) {
      char c = i == end ? '.' : host.charAt(i);
      if (c == '.') {
        if (i == labelStart) {
          throw invalid(host, "no empty label");
        }
        if (i - labelStart > MAX_LABEL_LENGTH) {
          throw invalid(host, "labels of at most " + MAX_LABEL_LENGTH + " characters");
        }
        labelStart = i + 1;
      } else if (!isNameChar(c)) {
        throw invalid(host, NAME);
      }
    }
    // The last label: all digits means an IPv4 address (no top-level domain is numeric).
    int lastLabel = host.lastIndexOf('.', end - 1) + 1;
    boolean numeric = true;
    for (int i = lastLabel; i < end && numeric; i++) {
      numeric = host.charAt(i) >= '0' && host.charAt(i) <= '9';
    }
    if (numeric) {
      if (ipv4(host, 0, host.length()) < 0) {
        throw invalid(host, "an IPv4 address: four numbers 0-255 without leading zeros");
      }
      return host;
    }
    return host.toLowerCase(Locale.ROOT);
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_';
  }

  /**
   * Returns the dotted-quad IPv4 address in {@code s[from, to)} as an unsigned 32-bit value, or -1
   * if it is not exactly four decimal numbers 0 to 255 without leading zeros.
   */
  private static long ipv4(String s, int from, int to) {
    long value = 0;
    int parts = 0;
    int i = from;
    while (true) {
      int start = i;
      int part = 0;
      while (i < to && i - start < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        part = part * 10 + (s.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || part > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      value = value << 8 | part;
      parts++;
      if (i == to) {
        return parts == 4 ? value : -1;
      }
      if (parts == 4 || s.charAt(i) != '.') {
        return -1;
      }
      i++;
    }
  }

  /** Returns the normal form of an IPv6 literal without brackets, or null if it is not one. */
  private static @Nullable String ipv6(String text) {
    String address = text;
    String zone = null;
    int percent = text.indexOf('%');
    if (percent >= 0) {
      zone = text.substring(percent + 1);
      address = text.substring(0, percent);
      if (!isZone(zone)) {
        return null;
      }
    }
    int[] groups = ipv6Groups(address);
    if (groups == null) {
      return null;
    }
    boolean mapped =
        groups[0] == 0
            && groups[1] == 0
            && groups[2] == 0
            && groups[3] == 0
            && groups[4] == 0
            && groups[5] == 0xffff;
    String ipv4 =
        mapped
            ? (groups[6] >>> 8)
                + "."
                + (groups[6] & 0xff)
                + "."
                + (groups[7] >>> 8)
                + "."
                + (groups[7] & 0xff)
            : "";
    if (mapped && zone == null) {
      return ipv4;
    }
    // RFC 5952: hex groups without leading zeros, the longest run of two or more zero groups as
    // "::" (the first of equally long runs); an IPv4-mapped address ends in dotted decimal (5).
    int hexGroups = mapped ? 6 : 8;
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < hexGroups; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < hexGroups && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder s = new StringBuilder(64);
    for (int i = 0; i < hexGroups; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLength - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(groups[i]));
    }
    if (mapped) {
      s.append(s.charAt(s.length() - 1) == ':' ? "" : ":").append(ipv4);
    }
    if (zone != null) {
      s.append('%').append(zone);
    }
    return s.toString();
  }

  private static boolean isZone(String zone) {
    if (zone.isEmpty() || zone.length() > MAX_ZONE_LENGTH) {
      return false;
    }
    for (int i = 0; i < zone.length(); i++) {
      char c = zone.charAt(i);
      if (!isNameChar(c) && c != '.' && c != '~') {
        return false;
      }
    }
    return true;
  }

  /** Returns the eight 16-bit groups of an IPv6 address without zone, or null if it is not one. */
  private static int @Nullable [] ipv6Groups(String a) {
    int gap = a.indexOf("::");
    int[] groups = new int[8];
    if (gap < 0) {
      return groups(a, 0, a.length(), groups, 0, true) == 8 ? groups : null;
    }
    if (a.indexOf("::", gap + 1) >= 0) {
      return null; // two gaps, or ":::"
    }
    int[] tail = new int[8];
    int head = gap == 0 ? 0 : groups(a, 0, gap, groups, 0, false);
    int tailCount = gap + 2 == a.length() ? 0 : groups(a, gap + 2, a.length(), tail, 0, true);
    if (head < 0 || tailCount < 0 || head + tailCount > 7) {
      return null; // "::" stands for at least one zero group
    }
    System.arraycopy(tail, 0, groups, 8 - tailCount, tailCount);
    return groups;
  }

  /**
   * Parses colon-separated hex groups in {@code s[from, to)} into {@code out} from {@code count},
   * the last one possibly a dotted IPv4 address (two groups) if {@code ipv4Tail}; returns the new
   * count, or -1 if the text is not such groups.
   */
  private static int groups(String s, int from, int to, int[] out, int count, boolean ipv4Tail) {
    int i = from;
    while (true) {
      int start = i;
      int value = 0;
      int digit;
      while (i < to && i - start <= 4 && (digit = hexDigit(s.charAt(i))) >= 0) {
        value = value << 4 | digit;
        i++;
      }
      if (i < to && s.charAt(i) == '.') {
        long v4 = ipv4Tail && count <= 6 ? ipv4(s, start, to) : -1;
        if (v4 < 0) {
          return -1;
        }
        out[count++] = (int) (v4 >>> 16);
        out[count++] = (int) (v4 & 0xffff);
        return count;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4 || count == 8) {
        return -1;
      }
      out[count++] = value;
      if (i == to) {
        return count;
      }
      if (s.charAt(i) != ':' || ++i == to) {
        return -1;
      }
    }
  }

  /** Returns the value of an ASCII hex digit, or -1 (not {@link Character#digit}: no Unicode). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static IllegalArgumentException invalid(String host, String expected) {
    return new IllegalArgumentException("host: " + quote(host) + " (expected: " + expected + ")");
  }

  /**
   * Returns {@code value} in single quotes for an error message: its start, escaped (backslashes,
   * quotes and anything outside printable ASCII) to at most about 64 characters, and its length if
   * cut.
   */
  private static String quote(String value) {
    StringBuilder s = new StringBuilder(QUOTED_CHARS + 32).append('\'');
    int i = 0;
    for (; i < value.length() && s.length() <= QUOTED_CHARS; i++) {
      char c = value.charAt(i);
      if (c == '\\' || c == '\'') {
        s.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        s.append(c);
      } else if (c == '\n') {
        s.append("\\n");
      } else if (c == '\r') {
        s.append("\\r");
      } else if (c == '\t') {
        s.append("\\t");
      } else {
        s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    s.append('\'');
    if (i < value.length()) {
      s.append("... (").append(value.length()).append(" chars)");
    }
    return s.toString();
  }
}
