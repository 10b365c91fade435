package dev.lbkit.services.kit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A small method and path router: each route is a method and a template of literal segments and
 * {@code {param}} segments ({@code /v1/sandboxes/{id}}); the last segment may be {@code
 * {param...}}, which takes the one or more segments left, joined by {@code /} ({@code
 * /outputs/{id}/{path...}} matches {@code /outputs/7/logs/run.txt} with path {@code logs/run.txt}).
 * A path that matches no template is a 404; one that matches a template but not its method is a 405
 * with {@code Allow}. Literal segments win over parameters where both match. Immutable once built;
 * a match costs one split of the path and a scan of the routes.
 */
public final class Routes {
  private static final Pattern PARAM = Pattern.compile("\\{[a-z_][a-z0-9_]*}");
  private static final Pattern REST = Pattern.compile("\\{[a-z_][a-z0-9_]*\\.\\.\\.}");
  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");

  private final List<Route> routes;

  private Routes(List<Route> routes) {
    this.routes = List.copyOf(routes);
  }

  /** Returns a builder with no routes. */
  public static Builder builder() {
    return new Builder();
  }

  /** A route: method, template, its segments and its endpoint. */
  record Route(String method, String template, List<String> segments, Endpoint endpoint) {
    @Nullable Map<String, String> match(String[] parts) {
      int n = segments.size();
      boolean rest = n > 0 && segments.get(n - 1).endsWith("...}");
      if (rest ? parts.length < n : parts.length != n) {
        return null;
      }
      Map<String, String> params = null;
      for (int i = 0; i < n; i++) {
        String segment = segments.get(i);
        if (rest && i == n - 1) {
          for (int j = i; j < parts.length; j++) {
            if (parts[j].isEmpty()) {
              return null;
            }
          }
          if (params == null) {
            params = new LinkedHashMap<>();
          }
          String tail = String.join("/", List.of(parts).subList(i, parts.length));
          params.put(segment.substring(1, segment.length() - 4), tail);
        } else if (segment.startsWith("{")) {
          if (parts[i].isEmpty()) {
            return null;
          }
          if (params == null) {
            params = new LinkedHashMap<>();
          }
          params.put(segment.substring(1, segment.length() - 1), parts[i]);
        } else if (!segment.equals(parts[i])) {
          return null;
        }
      }
      return params == null ? Map.of() : params;
    }

    int literals() {
      int n = 0;
      for (String segment : segments) {
        if (!segment.startsWith("{")) {
          n++;
        }
      }
      return n;
    }
  }

  /** A streaming route's endpoint, recognized by the handler; never called as an Endpoint. */
  record Streaming(StreamingEndpoint endpoint) implements Endpoint {
    @Override
    public Reply handle(Exchange exchange) {
      throw new IllegalStateException("a streaming route is handled by KitHandler");
    }
  }

  /** The outcome of {@link #match}: a route and its parameters, or why none. */
  static final class Match {
    final @Nullable Route route;
    final Map<String, String> params;
    final List<String> allowed; // when the path matched but not the method

    Match(@Nullable Route route, Map<String, String> params, List<String> allowed) {
      this.route = route;
      this.params = params;
      this.allowed = allowed;
    }
  }

  Match match(String method, String path) {
    String[] parts = split(path);
    Route best = null;
    Map<String, String> bestParams = Map.of();
    TreeSet<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      Map<String, String> params = route.match(parts);
      if (params == null) {
        continue;
      }
      if (!route.method().equals(method)) {
        allowed.add(route.method());
        continue;
      }
      if (best == null || route.literals() > best.literals()) {
        best = route;
        bestParams = params;
      }
    }
    return new Match(best, bestParams, best == null ? List.copyOf(allowed) : List.of());
  }

  private static String[] split(String path) {
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    if (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
  }

  /** Returns the templates, for documentation. */
  public List<String> templates() {
    List<String> all = new ArrayList<>();
    for (Route route : routes) {
      all.add(route.method() + " " + route.template());
    }
    return Collections.unmodifiableList(all);
  }

  /** Adds routes; checks each template at once. Not thread-safe. */
  public static final class Builder {
    private final List<Route> routes = new ArrayList<>();

    private Builder() {}

    /** Adds a GET route. */
    public Builder get(String template, Endpoint endpoint) {
      return route("GET", template, endpoint);
    }

    /** Adds a POST route. */
    public Builder post(String template, Endpoint endpoint) {
      return route("POST", template, endpoint);
    }

    /** Adds a PUT route. */
    public Builder put(String template, Endpoint endpoint) {
      return route("PUT", template, endpoint);
    }

    /** Adds a DELETE route. */
    public Builder delete(String template, Endpoint endpoint) {
      return route("DELETE", template, endpoint);
    }

    /**
     * Adds a route whose endpoint writes the response itself (a streamed body); see {@link
     * StreamingEndpoint}. The same checks as {@link #route}.
     */
    public Builder stream(String method, String template, StreamingEndpoint endpoint) {
      return route(method, template, new Streaming(Objects.requireNonNull(endpoint, "endpoint")));
    }

    /**
     * Adds a route.
     *
     * @throws IllegalArgumentException if the template does not start with {@code /}, has an empty
     *     or odd segment, or the method and template are already routed
     */
    public Builder route(String method, String template, Endpoint endpoint) {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(template, "template");
      Objects.requireNonNull(endpoint, "endpoint");
      String m = method.toUpperCase(Locale.ROOT);
      if (!template.startsWith("/")) {
        throw new IllegalArgumentException("template: '" + template + "' (expected: /...)");
      }
      String[] segments = split(template);
      for (int i = 0; i < segments.length; i++) {
        String segment = segments[i];
        boolean rest = i == segments.length - 1 && REST.matcher(segment).matches();
        if (!rest && !PARAM.matcher(segment).matches() && !LITERAL.matcher(segment).matches()) {
          throw new IllegalArgumentException(
              "template: '"
                  + template
                  + "' (expected: segments of [A-Za-z0-9._~-] or {param}, the last maybe"
                  + " {param...})");
        }
      }
      for (Route route : routes) {
        if (route.method().equals(m) && route.template().equals(template)) {
          throw new IllegalArgumentException(
              "template: " + m + " " + template + " (expected: routed once)");
        }
      }
      routes.add(new Route(m, template, List.of(segments), endpoint));
      return this;
    }

    /** Returns the routes. */
    public Routes build() {
      return new Routes(routes);
    }
  }
}
