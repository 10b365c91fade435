package dev.lbkit.services.router;

import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Option;
import dev.lbkit.services.kit.Options;
import dev.lbkit.services.kit.ParsedOptions;
import dev.lbkit.services.kit.ServiceMain;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar runner-router.jar --runners URL [URL ...] [--port 8080] [--cache-dir ./lb_cache]
 * [--cache-ttl-days 7] [--health-check-interval 30] [--log-level INFO]}: the seed's command line.
 * {@code --runners} takes one or more URLs after it, as the seed writes it (or is repeated, or
 * takes a comma-separated list); each option can also come from its {@code RUNNER_ROUTER_...}
 * environment variable. {@code --help} prints them all.
 */
public final class RouterMain {

  private static final Options.Builder DECLARE = Options.builder("runner-router", "RUNNER_ROUTER_");

  static final Option<List<String>> RUNNERS =
      DECLARE.repeatable(
          "runners",
          "URL...",
          "the sandbox runners' base URLs, such as https://runner1.example.com (one or more)",
          false,
          RouterMain::url);
  static final Option<Integer> PORT = DECLARE.intOption("port", 8080, 0, 65_535, "the HTTP port");
  static final Option<String> CACHE_DIR =
      DECLARE.stringOption(
          "cache-dir",
          "DIR",
          "./lb_cache",
          "where cache.db (results, jobs) and api_keys.json live",
          dir -> {
            if (dir.isBlank()) {
              throw new IllegalArgumentException("a directory");
            }
            return dir;
          });
  static final Option<Integer> CACHE_TTL_DAYS =
      DECLARE.intOption(
          "cache-ttl-days", 7, 1, 3650, "how long a completed result is served from the cache");
  static final Option<Integer> HEALTH_CHECK_INTERVAL =
      DECLARE.intOption(
          "health-check-interval", 30, 1, 86_400, "seconds between health checks of each runner");
  static final Option<String> LOG_LEVEL =
      DECLARE.stringOption(
          "log-level",
          "LEVEL",
          "INFO",
          "DEBUG, INFO, WARNING or ERROR",
          level -> {
            String upper = level.trim().toUpperCase(Locale.ROOT);
            if (!List.of("DEBUG", "INFO", "WARNING", "WARN", "ERROR").contains(upper)) {
              throw new IllegalArgumentException("DEBUG, INFO, WARNING or ERROR");
            }
            return upper;
          });

  static final Options OPTIONS = DECLARE.build();

  /** Environment only, not a seed option: seconds a runner has to answer (10 by default). */
  static final String REQUEST_TIMEOUT_ENV = "RUNNER_ROUTER_REQUEST_TIMEOUT_SECONDS";

  private RouterMain() {}

  /** Runs the router until SIGTERM or SIGINT. */
  public static void main(String[] args) {
    ServiceMain.run(OPTIONS, expandRunners(args), options -> start(options, System.getenv()));
  }

  /** Starts a router from parsed options and the environment. */
  static RunnerRouter start(ParsedOptions options, Map<String, String> env) throws Exception {
    List<URI> runners = new ArrayList<>();
    for (String url : options.get(RUNNERS)) {
      runners.add(URI.create(url));
    }
    if (runners.isEmpty()) {
      throw new IllegalArgumentException(
          "--runners: none (expected: one or more runner URLs; see --help)");
    }
    Duration requestTimeout = Duration.ofSeconds(10);
    String timeout = env.get(REQUEST_TIMEOUT_ENV);
    if (timeout != null && !timeout.isBlank()) {
      double seconds = Double.parseDouble(timeout.trim());
      if (!(seconds > 0 && seconds <= 3600)) {
        throw new IllegalArgumentException(
            REQUEST_TIMEOUT_ENV + ": " + timeout + " (expected: seconds in (0, 3600])");
      }
      requestTimeout = Duration.ofMillis((long) (seconds * 1000));
    }
    JsonLog log = JsonLog.stdout("runner-router").atLevel(options.get(LOG_LEVEL));
    return RunnerRouter.start(
        new RouterConfig(
            runners,
            options.get(PORT),
            null,
            Path.of(options.get(CACHE_DIR)),
            Duration.ofDays(options.get(CACHE_TTL_DAYS)),
            Duration.ofSeconds(options.get(HEALTH_CHECK_INTERVAL)),
            requestTimeout,
            requestTimeout,
            log,
            RouterConfig.WALL_CLOCK,
            null,
            null));
  }

  /**
   * Rewrites the seed's {@code --runners a b c} (several values after one flag) and {@code
   * --runners a,b} into one {@code --runners} per URL, as the option parser reads them.
   */
  static String[] expandRunners(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--runners")) {
        int taken = 0;
        while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          for (String url : args[++i].split(",", -1)) {
            if (!url.isBlank()) {
              out.add("--runners");
              out.add(url.trim());
              taken++;
            }
          }
        }
        if (taken == 0) {
          out.add(arg); // the parser reports the missing value
        }
      } else if (arg.startsWith("--runners=")) {
        for (String url : arg.substring("--runners=".length()).split(",", -1)) {
          out.add("--runners=" + url.trim());
        }
      } else {
        out.add(arg);
      }
    }
    return out.toArray(new String[0]);
  }

  private static String url(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("an http:// or https:// URL", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("an http:// or https:// URL with a host");
    }
    return uri.toString();
  }
}
