package dev.lbkit.services.forward;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * The hop-by-hop header rules of RFC 9110 (section 7.6.1): a proxy removes {@code Connection},
 * every header that {@code Connection} names, and the connection-specific headers ({@code
 * Keep-Alive}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}, {@code
 * Proxy-*}) before forwarding a message in either direction.
 */
final class HopByHop {

  private static final Set<String> ALWAYS =
      Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private HopByHop() {}

  /** Returns whether {@code name} is hop-by-hop whatever {@code Connection} says. */
  static boolean always(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return ALWAYS.contains(lower) || lower.startsWith("proxy-");
  }

  /** Returns the header names, lower case, that the message's {@code Connection} headers list. */
  static Set<String> namedByConnection(HttpFields headers) {
    Set<String> named = new HashSet<>();
    for (HttpField field : headers) {
      if (field.getName().equalsIgnoreCase("connection")) {
        for (String token : field.getValue().split(",", -1)) {
          String trimmed = token.trim();
          if (!trimmed.isEmpty()) {
            named.add(trimmed.toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return named;
  }

  /**
   * Copies the end-to-end headers of {@code from} into {@code to}, leaving out the hop-by-hop ones
   * and those in {@code skip} (lower case). A header copied replaces any of that name already in
   * {@code to} (such as the {@code Date} a server adds), keeping every value {@code from} has.
   */
  static void copy(HttpFields from, HttpFields.Mutable to, Set<String> skip) {
    Set<String> named = namedByConnection(from);
    Set<String> copied = new HashSet<>();
    for (HttpField field : from) {
      String lower = field.getName().toLowerCase(Locale.ROOT);
      if (!always(lower) && !named.contains(lower) && !skip.contains(lower)) {
        if (copied.add(lower)) {
          to.put(field);
        } else {
          to.add(field);
        }
      }
    }
  }
}
