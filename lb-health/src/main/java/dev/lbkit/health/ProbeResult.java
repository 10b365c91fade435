package dev.lbkit.health;

import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one probe of one server: passed or failed, why it failed, and optionally a load
 * figure the server reported (a queue depth, say), which the checker hands to {@code
 * Server.reportLoad} so that {@code LEAST_LOADED} balancing can use it. Immutable.
 */
public final class ProbeResult {

  private static final ProbeResult PASSED = new ProbeResult(true, null, null, -1);

  private final boolean passed;
  private final @Nullable String reason;
  private final @Nullable Throwable cause;
  private final long load;

  private ProbeResult(
      boolean passed, @Nullable String reason, @Nullable Throwable cause, long load) {
    this.passed = passed;
    this.reason = reason;
    this.cause = cause;
    this.load = load;
  }

  /** Returns a passed result. */
  public static ProbeResult passed() {
    return PASSED;
  }

  /**
   * Returns a passed result carrying the load the server reported.
   *
   * @throws IllegalArgumentException if {@code load} is negative
   */
  public static ProbeResult passed(long load) {
    if (load < 0) {
      throw new IllegalArgumentException("load: " + load + " (expected: >= 0)");
    }
    return new ProbeResult(true, null, null, load);
  }

  /**
   * Returns a failed result with a reason, such as {@code "HTTP 500"}.
   *
   * @throws NullPointerException if {@code reason} is null
   */
  public static ProbeResult failed(String reason) {
    return new ProbeResult(false, Objects.requireNonNull(reason, "reason"), null, -1);
  }

  /**
   * Returns a failed result for a probe that threw or timed out; the cause is kept.
   *
   * @throws NullPointerException if {@code cause} is null
   */
  public static ProbeResult failed(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    return new ProbeResult(false, String.valueOf(cause), cause, -1);
  }

  /** Returns whether the probe passed. */
  public boolean isPassed() {
    return passed;
  }

  /** Returns why the probe failed, or null if it passed. */
  public @Nullable String reason() {
    return reason;
  }

  /** Returns the exception that failed the probe, or null. */
  public @Nullable Throwable cause() {
    return cause;
  }

  /** Returns the load the server reported with a passed probe, if any. */
  public OptionalLong load() {
    return load < 0 ? OptionalLong.empty() : OptionalLong.of(load);
  }

  @Override
  public String toString() {
    if (passed) {
      return load < 0 ? "passed" : "passed (load " + load + ")";
    }
    return "failed: " + reason;
  }
}
