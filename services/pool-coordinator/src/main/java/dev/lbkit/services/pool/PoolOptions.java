package dev.lbkit.services.pool;

import dev.lbkit.services.kit.Option;
import dev.lbkit.services.kit.Options;
import dev.lbkit.services.kit.ParsedOptions;
import dev.lbkit.services.kit.Tokens;
import java.time.Duration;

/**
 * The coordinator's options: {@code --workers}, {@code --port} and {@code --health-check-interval}
 * as in the seed, and the rest with defaults. Each also reads from a {@code POOL_} environment
 * variable ({@code POOL_CLIENT_TOKEN}, say) when its flag is not given. Durations are in seconds,
 * decimals allowed.
 */
public final class PoolOptions {

  private static final Options.Builder B = Options.builder("pool-coordinator", "POOL_");

  static final Option<String> WORKERS =
      B.stringOption(
          "workers",
          "FILE",
          "workers.json",
          "the allowlist: {\"workers\": [{\"endpoint\", \"worker_id\", \"max_concurrent_jobs\"}]}",
          f -> f);
  static final Option<Integer> PORT =
      B.intOption("port", 9000, 0, 65_535, "the HTTP port (0: any free port)");
  static final Option<String> HOST =
      B.stringOption("host", "ADDR", "0.0.0.0", "the address to listen on", h -> h);
  static final Option<Double> HEALTH_CHECK_INTERVAL =
      B.doubleOption(
          "health-check-interval",
          30,
          0.01,
          86_400,
          "seconds between two identity challenges of a worker");
  static final Option<Double> HEALTH_CHECK_TIMEOUT =
      B.doubleOption(
          "health-check-timeout",
          5,
          0.01,
          86_400,
          "seconds a worker has to answer a challenge (at most the interval)");
  static final Option<Double> POLL_INTERVAL =
      B.doubleOption(
          "poll-interval", 1, 0.01, 3_600, "seconds between two status polls of a running job");
  static final Option<Double> REQUEST_TIMEOUT =
      B.doubleOption(
          "request-timeout",
          30,
          0.01,
          3_600,
          "seconds a worker has to answer /submit, /status, or start an output's answer");
  static final Option<Integer> LOST_AFTER =
      B.intOption(
          "lost-after",
          3,
          1,
          1_000,
          "status polls in a row that may fail (timeouts, 5xx) before a worker counts as failed");
  static final Option<Double> JOB_DEADLINE =
      B.doubleOption(
          "job-deadline",
          3_600,
          0.01,
          31_536_000,
          "seconds after its submission that a job may still wait for a worker");
  static final Option<Double> JOB_RETENTION =
      B.doubleOption(
          "job-retention",
          3_600,
          0.01,
          31_536_000,
          "seconds a finished job stays known (its status and outputs' route)");
  static final Option<Integer> MAX_BODY_BYTES =
      B.intOption(
          "max-body-bytes",
          64 << 20,
          1,
          Integer.MAX_VALUE,
          "the largest job body POST /submit takes (queued jobs are held in memory)");
  static final Option<String> CLIENT_TOKEN =
      B.optionalString(
          "client-token",
          "T",
          "the bearer token of POST /submit, GET /status and GET /outputs (none: open)",
          true,
          Tokens::check);
  static final Option<String> ADMIN_TOKEN =
      B.optionalString(
          "admin-token",
          "T",
          "the bearer token of GET /pool and POST /pool/drain (none: open)",
          true,
          Tokens::check);

  /** The options, for {@code --help} and for tests that start the coordinator in-process. */
  public static final Options OPTIONS = B.build();

  private PoolOptions() {}

  /**
   * Returns the pool's timing from parsed options.
   *
   * <p>The health check timeout, when not given, is its default or the interval, whichever is
   * shorter.
   *
   * @throws IllegalArgumentException if the health check timeout is longer than its interval
   */
  static PoolCoordinator.Settings settings(ParsedOptions options) {
    double interval = options.get(HEALTH_CHECK_INTERVAL);
    double timeout = options.get(HEALTH_CHECK_TIMEOUT);
    if (!options.isGiven(HEALTH_CHECK_TIMEOUT)) {
      timeout = Math.min(timeout, interval);
    }
    return new PoolCoordinator.Settings(
        seconds(interval),
        seconds(timeout),
        seconds(options.get(REQUEST_TIMEOUT)),
        seconds(options.get(POLL_INTERVAL)),
        seconds(options.get(JOB_DEADLINE)),
        seconds(options.get(JOB_RETENTION)),
        options.get(LOST_AFTER));
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
