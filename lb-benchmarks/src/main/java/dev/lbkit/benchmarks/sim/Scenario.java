package dev.lbkit.benchmarks.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A simulated service: how many backends, how fast requests arrive (a Poisson process), for how
 * long, how long each request takes on the backend it is routed to, and what counts as a success.
 * Every run of a scenario is a fresh set of backends; {@link #seeds()} runs are averaged.
 */
abstract class Scenario {

  /** How long a backend takes, given what it has been sent so far. One per run. */
  interface Backends {
    /**
     * Returns when a request arriving at {@code arrivalNanos} on backend {@code backend} completes,
     * given its {@code work} (from {@link Scenario#drawWork}).
     */
    long completion(int backend, long arrivalNanos, double work);
  }

  private final String id;
  private final String title;
  private final int backends;
  private final double requestsPerSecond;
  private final Duration duration;
  private final Duration successWithin;
  private final int seeds;

  Scenario(
      String id,
      String title,
      int backends,
      double requestsPerSecond,
      Duration duration,
      Duration successWithin,
      int seeds) {
    this.id = Objects.requireNonNull(id, "id");
    this.title = Objects.requireNonNull(title, "title");
    if (backends < 2) {
      throw new IllegalArgumentException("backends: " + backends + " (expected: >= 2)");
    }
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException(
          "requestsPerSecond: " + requestsPerSecond + " (expected: > 0)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds: " + seeds + " (expected: >= 1)");
    }
    this.backends = backends;
    this.requestsPerSecond = requestsPerSecond;
    this.duration = duration;
    this.successWithin = Objects.requireNonNull(successWithin, "successWithin");
    this.seeds = seeds;
  }

  /** A short name: "A", "B". */
  final String id() {
    return id;
  }

  /** A one-line description, for tables and the chart. */
  final String title() {
    return title;
  }

  /** How many backends. */
  final int backends() {
    return backends;
  }

  /** The mean arrival rate of the Poisson process. */
  final double requestsPerSecond() {
    return requestsPerSecond;
  }

  /** How long requests arrive for; the run goes on until the last one completes. */
  final Duration duration() {
    return duration;
  }

  /** The latency a request must not exceed to count as a success. */
  final Duration successWithin() {
    return successWithin;
  }

  /** How many seeds (1, 2, ...) are run and averaged. */
  final int seeds() {
    return seeds;
  }

  /** The full definition, as a markdown paragraph. */
  abstract String definition();

  /**
   * Draws the work of the next request, before it is routed, so that every algorithm meets the same
   * work for the same seed. Draws exactly one value from {@code random}.
   */
  abstract double drawWork(RandomGenerator random);

  /** Returns fresh backends, for one run. */
  abstract Backends newBackends();
}
