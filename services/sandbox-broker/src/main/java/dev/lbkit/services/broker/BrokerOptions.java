package dev.lbkit.services.broker;

import dev.lbkit.services.broker.store.Database;
import dev.lbkit.services.kit.Option;
import dev.lbkit.services.kit.Options;
import dev.lbkit.services.kit.ParsedOptions;
import dev.lbkit.services.kit.Tokens;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The broker's options (fixed names, seeds 001 and 004) and the configuration read from them. */
public final class BrokerOptions {
  private static final Options.Builder B = Options.builder("sandbox-broker", "BROKER_");

  static final Option<Integer> PORT =
      B.intOption("port", 8080, 0, 65_535, "the HTTP port (0: any free port)");
  static final Option<String> DB =
      B.stringOption(
          "db",
          "URL",
          "jdbc:sqlite:broker.db",
          "the store: jdbc:sqlite:FILE, or jdbc:postgresql://HOST/DB?user=U&password=P to share"
              + " one pool among instances",
          BrokerOptions::jdbcUrl);
  static final Option<String> ADMIN_TOKEN =
      B.optionalString(
          "admin-token",
          "T",
          "the admin's bearer token (generated on first start, printed once, stored hashed)",
          true,
          Tokens::check);
  static final Option<List<String>> TRACK_TOKEN =
      B.repeatable(
          "track-token",
          "TRACK=T",
          "a track's bearer token; its X-Track-ID must be TRACK (TRACK '*': any track). None"
              + " given: one token for any track is generated on first start",
          true,
          BrokerOptions::trackToken);
  static final Option<Integer> MOCK_SANDBOXES =
      B.intOption(
          "mock-sandboxes",
          100,
          0,
          1_000_000,
          "the size of the built-in mock CSP's pool (ignored with --csp-url)");
  static final Option<String> CSP_URL =
      B.optionalString(
          "csp-url",
          "URL",
          "production mode: the CSP's HTTP API (see the README); mock mode without it",
          false,
          BrokerOptions::httpUrl);
  static final Option<String> CSP_TOKEN =
      B.optionalString(
          "csp-token", "T", "the bearer token the broker sends to the CSP", true, t -> t);
  static final Option<Integer> LEASE_TTL_SECONDS =
      B.intOption(
          "lease-ttl-seconds",
          16_200,
          1,
          Integer.MAX_VALUE,
          "how long an allocation lasts before it expires to pending_deletion (4.5 h)");
  static final Option<Integer> CANDIDATES =
      B.intOption("candidates", 15, 1, 1000, "K: the available sandboxes each allocation draws");
  static final Option<Integer> SYNC_INTERVAL_SECONDS =
      B.intOption(
          "sync-interval-seconds", 600, 1, 86_400, "how often the sync job reads the CSP's list");
  static final Option<Integer> CLEANUP_INTERVAL_SECONDS =
      B.intOption(
          "cleanup-interval-seconds",
          300,
          1,
          86_400,
          "how often the cleanup job deletes pending deletions, and the expiry job runs");
  static final Option<Double> TRACK_RATE_LIMIT =
      B.doubleOption(
          "track-rate-limit",
          10,
          0,
          1_000_000,
          "allocations per second per track (burst: the same number); 0: no limit");
  static final Option<Integer> MAX_DELETION_ATTEMPTS =
      B.intOption(
          "max-deletion-attempts",
          5,
          1,
          1000,
          "failed CSP deletions after which a sandbox is deletion_failed");
  static final Option<Integer> DB_POOL_SIZE =
      B.intOption("db-pool-size", 16, 1, 500, "PostgreSQL connections per instance");
  static final Option<List<String>> CORS_ORIGIN =
      B.repeatable(
          "cors-origin", "ORIGIN", "an origin CORS allows (none: CORS off)", false, o -> o);

  /** The options. */
  public static final Options OPTIONS = B.build();

  private BrokerOptions() {}

  /** The broker's configuration. */
  public record Config(
      int port,
      String db,
      @Nullable String adminToken,
      List<String> trackTokens,
      int mockSandboxes,
      @Nullable String cspUrl,
      @Nullable String cspToken,
      Duration leaseTtl,
      int candidates,
      Duration syncInterval,
      Duration cleanupInterval,
      double trackRateLimit,
      int maxDeletionAttempts,
      int dbPoolSize,
      List<String> corsOrigins,
      int cspAttempts,
      Duration cspFirstRetryWait) {

    /** Returns this configuration with the CSP retry's attempts and first wait (tests). */
    public Config withCspRetry(int attempts, Duration firstWait) {
      return new Config(
          port,
          db,
          adminToken,
          trackTokens,
          mockSandboxes,
          cspUrl,
          cspToken,
          leaseTtl,
          candidates,
          syncInterval,
          cleanupInterval,
          trackRateLimit,
          maxDeletionAttempts,
          dbPoolSize,
          corsOrigins,
          attempts,
          firstWait);
    }
  }

  /** Returns the configuration of parsed options. */
  public static Config config(ParsedOptions o) {
    return new Config(
        o.get(PORT),
        o.get(DB),
        o.find(ADMIN_TOKEN).orElse(null),
        o.get(TRACK_TOKEN),
        o.get(MOCK_SANDBOXES),
        o.find(CSP_URL).orElse(null),
        o.find(CSP_TOKEN).orElse(null),
        Duration.ofSeconds(o.get(LEASE_TTL_SECONDS)),
        o.get(CANDIDATES),
        Duration.ofSeconds(o.get(SYNC_INTERVAL_SECONDS)),
        Duration.ofSeconds(o.get(CLEANUP_INTERVAL_SECONDS)),
        o.get(TRACK_RATE_LIMIT),
        o.get(MAX_DELETION_ATTEMPTS),
        o.get(DB_POOL_SIZE),
        o.get(CORS_ORIGIN),
        3,
        Duration.ofMillis(200));
  }

  private static String jdbcUrl(String url) {
    Database.dialectOf(url);
    return url;
  }

  private static String httpUrl(String url) {
    try {
      URI uri = URI.create(url);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return url;
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new IllegalArgumentException("an http:// or https:// URL");
  }

  /** Checks {@code TRACK=T}: a track id (or {@code *}) and a token. */
  private static String trackToken(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("TRACK=TOKEN");
    }
    String track = text.substring(0, eq);
    if (!"*".equals(track) && !BrokerAuth.TRACK_ID.matcher(track).matches()) {
      throw new IllegalArgumentException("TRACK=TOKEN, TRACK 1 to 64 of [A-Za-z0-9._-] or *");
    }
    Tokens.check(text.substring(eq + 1));
    return text;
  }
}
