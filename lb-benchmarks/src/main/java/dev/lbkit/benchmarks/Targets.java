package dev.lbkit.benchmarks;

import static dev.lbkit.benchmarks.ReportTables.ATOMIC_FLOOR;
import static dev.lbkit.benchmarks.ReportTables.GET_NODE;
import static dev.lbkit.benchmarks.ReportTables.KEY_HASH_FLOOR;
import static dev.lbkit.benchmarks.ReportTables.LEAST_CONNECTIONS;
import static dev.lbkit.benchmarks.ReportTables.NANO_TIME_FLOOR;
import static dev.lbkit.benchmarks.ReportTables.POWER_OF_TWO;
import static dev.lbkit.benchmarks.ReportTables.ROUND_ROBIN;
import static dev.lbkit.benchmarks.ReportTables.ROUTE_PLAIN;
import static dev.lbkit.benchmarks.ReportTables.ROUTE_RATE_LIMITED;
import static dev.lbkit.benchmarks.ReportTables.ROUTE_STICKY_IP;
import static dev.lbkit.benchmarks.ReportTables.TOKEN_BUCKET;
import static dev.lbkit.benchmarks.ReportTables.WEIGHTED_ROUND_ROBIN;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The targets of issue 6 (a 2-core machine, JDK 17), each checked against one run's measurements:
 * the report's "Targets" section. They are what the benchmarks aim at, never test assertions.
 *
 * <p>A target bounds one metric of one benchmark, over every size it ran at or at one size; the
 * reached value is the worst of those. A missed target prints its reason, written from the run's
 * own floors ("`System.nanoTime()` took 25.6 ns in this run"), since a reason that holds on one
 * machine may not on another.
 */
final class Targets {

  /** What a target bounds, on how many threads, and in which direction. */
  enum Metric {
    /** Average time per operation on one thread, at most the bound. */
    NANOS_PER_OP(1, "ns/op"),
    /** Operations per second over two threads, in millions, at least the bound. */
    MILLION_OPS_PER_SECOND(2, "M ops/s with 2 threads"),
    /**
     * Bytes allocated per operation on one thread: nothing (see {@link
     * ReportTables#allocatesNothing}).
     */
    ZERO_BYTES_PER_OP(1, "B/op");

    final int threads;
    final String unit;

    Metric(int threads, String unit) {
      this.threads = threads;
      this.unit = unit;
    }
  }

  /** Explains, from the run's own numbers, why a target may be out of reach. */
  @FunctionalInterface
  interface Reason {
    String explain(List<Measurement> all);

    /** Returns this reason, then {@code more}, joined by "; ". */
    default Reason and(Reason more) {
      return all -> explain(all) + "; " + more.explain(all);
    }
  }

  /**
   * One target.
   *
   * @param path the hot path, as the issue names it
   * @param benchmark the benchmark measuring it: {@code RoundRobinBenchmark.next}
   * @param n the one size the target is for, or null for every size measured
   * @param metric what is bounded
   * @param bound the bound, in the metric's unit (ignored for {@link Metric#ZERO_BYTES_PER_OP})
   * @param reason why a miss may happen, printed only when the target is missed
   */
  record Target(
      String path,
      String benchmark,
      @Nullable String n,
      Metric metric,
      double bound,
      Reason reason) {

    /** Returns "≤ 5 ns/op", "≥ 100 M ops/s with 2 threads" or "0 B/op", with " at n=100". */
    String goal() {
      String goal =
          switch (metric) {
            case NANOS_PER_OP -> "≤ " + plain(bound) + " " + metric.unit;
            case MILLION_OPS_PER_SECOND -> "≥ " + plain(bound) + " " + metric.unit;
            case ZERO_BYTES_PER_OP -> "0 " + metric.unit;
          };
      return n == null ? goal : goal + " at n=" + n;
    }

    /** Returns whether {@code m} is one of the measurements this target is about. */
    boolean covers(Measurement m) {
      return m.benchmark().equals(benchmark)
          && m.threads() == metric.threads
          && (n == null || n.equals(m.params().get("n")));
    }

    /** Returns whether {@code m} meets the target. */
    boolean isMetBy(Measurement m) {
      return switch (metric) {
        case NANOS_PER_OP -> m.score() <= bound;
        case MILLION_OPS_PER_SECOND -> m.score() >= bound * 1e6;
        case ZERO_BYTES_PER_OP -> ReportTables.allocatesNothing(m.bytesPerOp());
      };
    }

    /** Orders measurements from best to worst for this target. */
    private Comparator<Measurement> bestFirst() {
      return switch (metric) {
        case NANOS_PER_OP -> Comparator.comparingDouble(Measurement::score);
        case MILLION_OPS_PER_SECOND -> Comparator.comparingDouble(Measurement::score).reversed();
        case ZERO_BYTES_PER_OP -> Comparator.comparingDouble(Measurement::bytesPerOp);
      };
    }

    /** Returns the worst measurement this target covers, if the run measured any. */
    Optional<Measurement> worst(List<Measurement> all) {
      Predicate<Measurement> measured =
          metric == Metric.ZERO_BYTES_PER_OP ? m -> !Double.isNaN(m.bytesPerOp()) : m -> true;
      return all.stream().filter(this::covers).filter(measured).max(bestFirst());
    }
  }

  private Targets() {}

  /** The target table, one row per bound. */
  static List<Target> standard() {
    Reason oneCounter =
        quoting(
            "every pick increments one counter shared by both threads, and the contended floor,"
                + " `atomicGetAndIncrement` on 2 threads, reached %s M ops/s in this run: a pick is"
                + " that increment and an array read, so it can reach the floor, not pass it",
            ATOMIC_FLOOR, 2);
    Reason pick =
        quoting(
            "a pick is one atomic increment and an array read; the uncontended increment alone"
                + " took %s ns in this run",
            ATOMIC_FLOOR, 1);
    Reason twoDraws =
        quoting(
            "two random draws and two counter reads; one draw (`threadLocalRandomNextInt`) took %s"
                + " ns in this run",
            "FloorBenchmark.threadLocalRandomNextInt", 1);
    Reason keyHash =
        quoting(
            "hashing the 16-character key alone (`KeyHash.of`) took %s ns in this run, the rest"
                + " is finding the key's bucket of points and scanning it",
            KEY_HASH_FLOOR, 1);
    Reason clock =
        quoting(
            "every call reads the clock, and `System.nanoTime()` alone took %s ns in this run (on"
                + " bare metal it is often 15-20 ns)",
            NANO_TIME_FLOOR, 1);
    Reason sharedBucket =
        quoting(
                "both threads read the clock and compare-and-set one word; `System.nanoTime()` on"
                    + " 2 threads reached %s M ops/s in this run",
                NANO_TIME_FLOOR, 2)
            .and(
                quoting(
                    "the contended atomic floor %s M ops/s: the bucket's word is as contended",
                    ATOMIC_FLOOR, 2));
    Reason route =
        quoting(
            "a route is a round-robin pick (%s ns in this run) plus the admission check"
                + " (membership, drain, health) and the per-server statistics counters",
            ROUND_ROBIN, 1);
    Reason limitedRoute =
        quoting(
            "the per-server token bucket adds a clock read: `TokenBucket.tryAcquire` alone took %s"
                + " ns in this run",
            TOKEN_BUCKET, 1);
    Reason stickyRoute =
        quoting(
            "affinity hashes the client IP and searches the ring: `getNode` took %s ns in this run"
                + " (at the smallest n measured)",
            GET_NODE, 1);
    Reason allocation =
        all ->
            "the path is built to allocate nothing, so this is a regression: find the allocation"
                + " with JFR's allocation samples or `-prof gc` on the benchmark alone";
    return List.of(
        new Target("RoundRobin.next", ROUND_ROBIN, null, Metric.NANOS_PER_OP, 5, pick),
        new Target(
            "RoundRobin.next", ROUND_ROBIN, null, Metric.MILLION_OPS_PER_SECOND, 100, oneCounter),
        new Target("RoundRobin.next", ROUND_ROBIN, null, Metric.ZERO_BYTES_PER_OP, 0, allocation),
        new Target(
            "WeightedRoundRobin.next", WEIGHTED_ROUND_ROBIN, null, Metric.NANOS_PER_OP, 12, pick),
        new Target(
            "WeightedRoundRobin.next",
            WEIGHTED_ROUND_ROBIN,
            null,
            Metric.MILLION_OPS_PER_SECOND,
            60,
            oneCounter),
        new Target(
            "WeightedRoundRobin.next",
            WEIGHTED_ROUND_ROBIN,
            null,
            Metric.ZERO_BYTES_PER_OP,
            0,
            allocation),
        new Target(
            "LeastConnections.next", LEAST_CONNECTIONS, "10", Metric.NANOS_PER_OP, 15, scan("10")),
        new Target(
            "LeastConnections.next",
            LEAST_CONNECTIONS,
            "100",
            Metric.NANOS_PER_OP,
            60,
            scan("100")),
        new Target("power of two choices", POWER_OF_TWO, null, Metric.NANOS_PER_OP, 20, twoDraws),
        new Target(
            "ConsistentHash.getNode(String)", GET_NODE, "100", Metric.NANOS_PER_OP, 35, keyHash),
        new Target(
            "ConsistentHash.getNode(String)",
            GET_NODE,
            null,
            Metric.ZERO_BYTES_PER_OP,
            0,
            allocation),
        new Target("token bucket tryAcquire", TOKEN_BUCKET, null, Metric.NANOS_PER_OP, 30, clock),
        new Target(
            "token bucket tryAcquire", TOKEN_BUCKET, null, Metric.ZERO_BYTES_PER_OP, 0, allocation),
        new Target(
            "token bucket tryAcquire",
            TOKEN_BUCKET,
            null,
            Metric.MILLION_OPS_PER_SECOND,
            25,
            sharedBucket),
        new Target("LoadBalancer.route, plain", ROUTE_PLAIN, null, Metric.NANOS_PER_OP, 15, route),
        new Target(
            "LoadBalancer.route, rate limits",
            ROUTE_RATE_LIMITED,
            null,
            Metric.NANOS_PER_OP,
            60,
            limitedRoute),
        new Target(
            "LoadBalancer.route, IP affinity",
            ROUTE_STICKY_IP,
            null,
            Metric.NANOS_PER_OP,
            120,
            stickyRoute),
        new Target(
            "LoadBalancer.route, plain",
            ROUTE_PLAIN,
            null,
            Metric.ZERO_BYTES_PER_OP,
            0,
            allocation));
  }

  /** Why a full scan of {@code n} servers may miss its bound. */
  private static Reason scan(String n) {
    return quoting(
        "a full scan reads every server's connection count, one `Server` object each, so it grows"
            + " with n; `powerOfTwoChoices` (O(1)) took %s ns at n="
            + n
            + " in this run",
        POWER_OF_TWO,
        1,
        n);
  }

  /** A reason whose {@code %s} is a benchmark's score in the run, at its first size measured. */
  private static Reason quoting(String template, String benchmark, int threads) {
    return quoting(template, benchmark, threads, null);
  }

  /**
   * A reason whose {@code %s} is a benchmark's score in the run, at size {@code n} if given: ns/op
   * on one thread, millions of ops/s on two; "–" if it was not measured.
   */
  private static Reason quoting(
      String template, String benchmark, int threads, @Nullable String n) {
    return all ->
        String.format(
            Locale.ROOT,
            template,
            all.stream()
                .filter(m -> m.benchmark().equals(benchmark) && m.threads() == threads)
                .filter(m -> n == null || n.equals(m.params().get("n")))
                .findFirst()
                .map(ReportTables::value)
                .orElse("–"));
  }

  /**
   * Renders the targets against {@code all} as a markdown table, one row per target with the worst
   * measurement it covers and whether that meets it, followed by the reason for each miss.
   */
  static String render(List<Target> targets, List<Measurement> all) {
    List<List<String>> rows = new ArrayList<>();
    List<String> misses = new ArrayList<>();
    for (Target target : targets) {
      Optional<Measurement> worst = target.worst(all);
      String verdict;
      if (worst.isEmpty()) {
        verdict = "not measured";
      } else if (target.isMetBy(worst.get())) {
        verdict = "met";
      } else {
        verdict = "**missed**";
        misses.add(
            "- `" + target.path() + "`, " + target.goal() + ": " + target.reason().explain(all));
      }
      rows.add(
          List.of(
              "`" + target.path() + "`",
              target.goal(),
              worst.map(m -> reached(target, m)).orElse("–"),
              verdict));
    }
    String table =
        MarkdownTable.render(List.of("hot path", "target", "reached", "verdict"), rows, 4);
    if (misses.isEmpty()) {
      return table;
    }
    return table + "\nWhere a target is missed:\n\n" + String.join("\n", misses) + "\n";
  }

  /** Returns "2.90 ns/op (n=100)", "87.7 M ops/s (n=3)" or "312 B/op (n=10)". */
  private static String reached(Target target, Measurement m) {
    String value =
        switch (target.metric()) {
          case NANOS_PER_OP -> ReportTables.value(m) + " ns/op";
          case MILLION_OPS_PER_SECOND -> ReportTables.value(m) + " M ops/s";
          case ZERO_BYTES_PER_OP -> ReportTables.bytes(m.bytesPerOp()) + " B/op";
        };
    String n = m.params().get("n");
    return n == null || target.n() != null ? value : value + " (n=" + n + ")";
  }

  /** Returns "5" for 5.0 and "2.5" for 2.5. */
  private static String plain(double bound) {
    return bound == Math.rint(bound)
        ? Long.toString((long) bound)
        : String.format(Locale.ROOT, "%s", bound);
  }
}
