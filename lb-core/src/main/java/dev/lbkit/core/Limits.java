package dev.lbkit.core;

import dev.lbkit.core.internal.AffinityCookies;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A balancer's rate limits and concurrency caps: the balancer-wide values every new backend starts
 * with, and the runtime changes of {@link LoadBalancer#setRateLimit} and {@link
 * LoadBalancer#setMaxConcurrent}.
 *
 * <p>Each backend holds its own limits in volatile fields ({@link Backend#rateLimit}, {@link
 * Backend#maxConcurrent}), so admission reads them as before and a change costs routing nothing. A
 * change writes those fields under the roster's write lock, the lock under which backends are
 * created and joined: a server joining at the same moment either starts with the new values or is
 * already a member when the change walks the members, never neither. A per-server value marks its
 * backend as overridden, and balancer-wide changes pass it by; the override lasts as long as the
 * server's membership (a server that leaves and joins again starts from the balancer-wide values).
 *
 * <p>A new or resized bucket starts full. A lower cap revokes nothing: admission compares the
 * active connections with the cap it reads when it takes a slot, so leases open beyond a new cap
 * stay open, and new ones wait until the server is under it.
 */
final class Limits {

  /** The largest rate a bucket takes: one permit a nanosecond. */
  static final double MAX_PERMITS_PER_SECOND = 1e9;

  private final Ticker ticker;

  // Written under the roster's write lock; volatile so that a look from outside it is sane.
  private volatile double perSecond; // 0: no balancer-wide rate limit
  private volatile long burst;
  private volatile int maxConcurrent;

  Limits(double perSecond, long burst, int maxConcurrent, Ticker ticker) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.maxConcurrent = maxConcurrent;
    this.ticker = ticker;
  }

  /**
   * Checks a rate limit's arguments as the builder and the setters do, message for message.
   *
   * @throws IllegalArgumentException if {@code perSecond} is not in {@code (0, 1e9]}, {@code burst}
   *     is below 1, or a full refill would take longer than the bucket can count
   */
  static void checkRate(double perSecond, long burst) {
    if (!(perSecond > 0 && perSecond <= MAX_PERMITS_PER_SECOND)) {
      throw new IllegalArgumentException(
          "perSecond: " + perSecond + " (expected: > 0 and <= " + MAX_PERMITS_PER_SECOND + ")");
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
    // The bucket's own checks (a refill interval that fits, say) fail here, not at addServer.
    TokenBucket unused = TokenBucket.create(perSecond, burst, Ticker.system());
  }

  /**
   * Checks a concurrency cap as the builder and the setters do.
   *
   * @throws IllegalArgumentException if {@code maxConcurrent} is below 1
   */
  static void checkMaxConcurrent(int maxConcurrent) {
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: >= 1)");
    }
  }

  /** Creates the backend of a joining server with the balancer-wide limits; under the lock. */
  Backend newBackend(Server server, AffinityCookies.@Nullable Token cookie) {
    return new Backend(server, bucket(perSecond, burst), maxConcurrent, cookie);
  }

  /** Sets the balancer-wide rate limit on every member without an override; under the lock. */
  void setRate(double perSecond, long burst, Backend[] members) {
    this.perSecond = perSecond;
    this.burst = burst;
    for (Backend b : members) {
      if (!b.rateOverridden) {
        b.rateLimit = bucket(perSecond, burst);
      }
    }
  }

  /** Sets the balancer-wide cap on every member without an override; under the lock. */
  void setMaxConcurrent(int maxConcurrent, Backend[] members) {
    this.maxConcurrent = maxConcurrent;
    for (Backend b : members) {
      if (!b.capOverridden) {
        b.maxConcurrent = maxConcurrent;
      }
    }
  }

  /** Gives one member its own rate limit; under the lock. */
  void overrideRate(Backend member, double perSecond, long burst) {
    member.rateOverridden = true;
    member.rateLimit = bucket(perSecond, burst);
  }

  /** Gives one member its own cap; under the lock. */
  static void overrideMaxConcurrent(Backend member, int maxConcurrent) {
    member.capOverridden = true;
    member.maxConcurrent = maxConcurrent;
  }

  private @Nullable TokenBucket bucket(double perSecond, long burst) {
    return perSecond > 0 ? TokenBucket.create(perSecond, burst, ticker) : null;
  }

  /** The non-member message of a per-server setter. */
  static IllegalArgumentException notAMember(Server server) {
    Objects.requireNonNull(server, "server");
    return new IllegalArgumentException(
        "server: " + server.id() + " (expected: a member of this balancer)");
  }

  @Override
  public String toString() {
    return "Limits{perSecond="
        + perSecond
        + ", burst="
        + burst
        + ", maxConcurrent="
        + maxConcurrent
        + "}";
  }
}
