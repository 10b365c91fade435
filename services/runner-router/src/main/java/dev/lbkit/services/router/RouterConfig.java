package dev.lbkit.services.router;

import dev.lbkit.core.Ticker;
import dev.lbkit.health.Scheduler;
import dev.lbkit.services.kit.JsonLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link RunnerRouter} is started with: the seed's options, plus what tests replace.
 *
 * @param runners the runners' base URLs ({@code --runners})
 * @param port the port to listen on ({@code --port}; 0 for any free one)
 * @param host the address to bind, or null for every interface
 * @param cacheDir where {@code cache.db} and {@code api_keys.json} live ({@code --cache-dir})
 * @param cacheTtl how long a result (and a job) is kept ({@code --cache-ttl-days})
 * @param healthInterval how often each runner is probed ({@code --health-check-interval})
 * @param requestTimeout how long a runner has to answer a request the router sends on its own
 * @param gitTimeout how long {@code git ls-remote} may take
 * @param log where log lines go, at the level of {@code --log-level}
 * @param clock the wall clock, epoch nanoseconds (stored timestamps; cache expiry)
 * @param healthScheduler what times the health rounds, or null for the checker's own thread
 * @param expiryScheduler what times the hourly expiry, or null for the router's own thread
 */
record RouterConfig(
    List<URI> runners,
    int port,
    @Nullable String host,
    Path cacheDir,
    Duration cacheTtl,
    Duration healthInterval,
    Duration requestTimeout,
    Duration gitTimeout,
    JsonLog log,
    Ticker clock,
    @Nullable Scheduler healthScheduler,
    @Nullable Scheduler expiryScheduler) {

  /** The wall clock in epoch nanoseconds. */
  static final Ticker WALL_CLOCK =
      () -> {
        java.time.Instant now = java.time.Clock.systemUTC().instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      };

  RouterConfig {
    runners = List.copyOf(runners);
    if (runners.isEmpty()) {
      throw new IllegalArgumentException("runners: none (expected: at least one URL)");
    }
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(clock, "clock");
  }
}
