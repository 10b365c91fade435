package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Calls and failures per server over fixed intervals, and Envoy's two interval detectors over a
 * finished interval: success rate and failure percentage.
 *
 * <p>Intervals are {@code [origin + k x interval, origin + (k + 1) x interval)} on the detector's
 * ticker. No thread ends them: the first outcome recorded in a later interval closes the current
 * one and hands it back (exactly one caller wins that), to be judged if it is the interval just
 * before (so complete and recent). Quiet intervals need no evaluation: a server with no calls is no
 * outlier. An outcome racing with the close may be counted in either interval.
 *
 * <p>Cost per outcome: one volatile read, one map lookup (a put on a server's first call in an
 * interval) and one or two {@link LongAdder} increments. Evaluation: O(n) for n servers with calls.
 */
final class IntervalStats {

  /**
   * The interval detectors' settings, as Envoy names them.
   *
   * @param successRateMinimumHosts servers with enough calls needed to judge success rates
   * @param successRateRequestVolume calls in the interval a server needs to count for success rate
   * @param successRateStdevFactor the threshold is mean - this x stdev (Envoy's 1900 is 1.9)
   * @param failurePercentageThreshold the failure percentage, 0..100, that ejects
   * @param failurePercentageMinimumHosts servers with enough calls needed to judge failure rates
   * @param failurePercentageRequestVolume calls a server needs to count for failure percentage
   */
  record Rules(
      int successRateMinimumHosts,
      int successRateRequestVolume,
      double successRateStdevFactor,
      int failurePercentageThreshold,
      int failurePercentageMinimumHosts,
      int failurePercentageRequestVolume) {}

  /** One server found an outlier, and by which detector. */
  record Verdict(Server server, EjectionReason reason, double successRate) {}

  /** The counts of one interval. */
  static final class Window {
    final long index;
    final ConcurrentHashMap<Server, Counts> counts = new ConcurrentHashMap<>();

    Window(long index) {
      this.index = index;
    }
  }

  private static final class Counts {
    final LongAdder calls = new LongAdder();
    final LongAdder failures = new LongAdder();
  }

  private final long intervalNanos;
  private final long origin;
  private final AtomicReference<Window> current;

  IntervalStats(long intervalNanos, long origin) {
    this.intervalNanos = intervalNanos;
    this.origin = origin;
    this.current = new AtomicReference<>(new Window(0));
  }

  /**
   * Counts one call to {@code server} at {@code now}.
   *
   * @return the interval this call closed, if it closed one (the caller then evaluates it if it
   *     {@link #endedJustBefore} now); null otherwise
   */
  @Nullable Window record(Server server, boolean failed, long now) {
    long index = Math.floorDiv(now - origin, intervalNanos); // by subtraction: across overflow
    Window window = window();
    Window closed = null;
    if (index > window.index) {
      Window next = new Window(index);
      if (current.compareAndSet(window, next)) {
        closed = window;
      }
      window = window();
    }
    Counts counts = window.counts.computeIfAbsent(server, s -> new Counts());
    counts.calls.increment();
    if (failed) {
      counts.failures.increment();
    }
    return closed;
  }

  /**
   * Returns whether {@code window} is the interval just before the one {@code now} falls in: a
   * complete and recent interval, worth judging. An older one was followed by quiet intervals.
   */
  boolean endedJustBefore(Window window, long now) {
    return window.index == Math.floorDiv(now - origin, intervalNanos) - 1;
  }

  private Window window() {
    return Objects.requireNonNull(current.get()); // never null: set in the constructor
  }

  /**
   * Returns the outliers of {@code window} by Envoy's rules: among {@code members} that are not
   * {@code ejected}, those with enough calls; nothing unless the balancer has at least the minimum
   * hosts for one of the detectors. Success rate first, then failure percentage; a server may be
   * named by both (the second finds it out already).
   */
  static List<Verdict> outliers(
      Window window, Collection<Server> members, Predicate<Server> ejected, Rules rules) {
    List<Verdict> verdicts = new ArrayList<>();
    if (members.size() < rules.successRateMinimumHosts()
        && members.size() < rules.failurePercentageMinimumHosts()) {
      return verdicts;
    }
    List<Server> rateHosts = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Server> percentHosts = new ArrayList<>();
    List<Double> percentRates = new ArrayList<>();
    double sum = 0;
    for (Server server : members) {
      Counts counts = window.counts.get(server);
      if (counts == null || ejected.test(server)) {
        continue;
      }
      long calls = counts.calls.sum();
      if (calls == 0) {
        continue;
      }
      double rate = 100.0 * (calls - counts.failures.sum()) / calls;
      if (calls >= rules.successRateRequestVolume()) {
        rateHosts.add(server);
        rates.add(rate);
        sum += rate;
      }
      if (calls >= rules.failurePercentageRequestVolume()) {
        percentHosts.add(server);
        percentRates.add(rate);
      }
    }
    if (!rateHosts.isEmpty() && rateHosts.size() >= rules.successRateMinimumHosts()) {
      double mean = sum / rateHosts.size();
      double variance = 0;
      for (double rate : rates) {
        variance += (rate - mean) * (rate - mean);
      }
      double stdev = Math.sqrt(variance / rateHosts.size());
      double threshold = mean - rules.successRateStdevFactor() * stdev;
      for (int i = 0; i < rateHosts.size(); i++) {
        if (rates.get(i) < threshold) {
          verdicts.add(new Verdict(rateHosts.get(i), EjectionReason.SUCCESS_RATE, rates.get(i)));
        }
      }
    }
    if (!percentHosts.isEmpty() && percentHosts.size() >= rules.failurePercentageMinimumHosts()) {
      for (int i = 0; i < percentHosts.size(); i++) {
        double rate = percentRates.get(i);
        if (100.0 - rate >= rules.failurePercentageThreshold()) {
          verdicts.add(new Verdict(percentHosts.get(i), EjectionReason.FAILURE_PERCENTAGE, rate));
        }
      }
    }
    return verdicts;
  }
}
