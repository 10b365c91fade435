package dev.lbkit.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Mode;

/**
 * The tables of the report: one section per hot path, each with a one-thread table (ns/op) and a
 * two-thread table (aggregate ops/s) of the same rows, which benchmarks each shows, what each ratio
 * is taken against, and how numbers are written.
 *
 * <p>A ratio is always a cost ratio: this row's wall-clock time per operation over the reference's,
 * both measured in the same run with the same thread count. For throughput rows that is the
 * reference's ops/s over this row's ops/s, so "2.00×" reads "twice as costly as the reference" in
 * every table. Each section has a column against the in-run floor and one against lbkit's own row
 * ("÷ ours"), so a peer's row reads "costs 250× ours".
 */
final class ReportTables {

  /** The floor of every pick: one increment of a shared {@code AtomicLong}. */
  static final String ATOMIC_FLOOR = "FloorBenchmark.atomicGetAndIncrement";

  /** The floor of anything that reads the clock. */
  static final String NANO_TIME_FLOOR = "FloorBenchmark.nanoTime";

  /** The floor of every key lookup: hashing the key. */
  static final String KEY_HASH_FLOOR = "ConsistentHashBenchmark.keyHash";

  static final String ROUND_ROBIN = "RoundRobinBenchmark.next";
  static final String WEIGHTED_ROUND_ROBIN = "WeightedRoundRobinBenchmark.next";
  static final String LEAST_CONNECTIONS = "LeastConnectionsBenchmark.next";
  static final String POWER_OF_TWO = "LeastConnectionsBenchmark.powerOfTwoChoices";
  static final String GET_NODE = "ConsistentHashBenchmark.getNode";
  static final String ADD_REMOVE_NODE = "ConsistentHashBenchmark.addThenRemoveNode";
  static final String TOKEN_BUCKET = "RateLimiterBenchmark.tokenBucketTryAcquire";
  static final String ROUTE_PLAIN = "FacadeBenchmark.routePlain";
  static final String ROUTE_RATE_LIMITED = "FacadeBenchmark.routeRateLimited";
  static final String ROUTE_STICKY_IP = "FacadeBenchmark.routeStickyIp";

  private static final String MISSING = "–";

  /** How a ratio column finds its value for one row, given every measurement of the run. */
  @FunctionalInterface
  interface RatioFunction {
    OptionalDouble of(Measurement row, List<Measurement> all);
  }

  /** A ratio column: its header and how its value is found. */
  record RatioColumn(String header, RatioFunction ratio) {}

  /**
   * One hot path's section: a heading, a note printed under it, the measurements its tables show
   * (one table per thread count) and their ratio columns. Two-thread tables add a speed-up column.
   */
  record TableSpec(
      String title, String note, Predicate<Measurement> selects, List<RatioColumn> ratios) {}

  private ReportTables() {}

  /** The report's sections, in order. */
  static List<TableSpec> standard() {
    RatioColumn perAtomic = costOver("÷ atomic floor", ATOMIC_FLOOR, false);
    return List.of(
        new TableSpec(
            "Floors",
            "What the other tables are divided by. `atomicGetAndIncrement` is the floor of a pick,"
                + " `nanoTime` of anything that reads the clock, `constant` is JMH's own overhead.",
            benchmarkIn("FloorBenchmark."),
            List.of(perAtomic)),
        new TableSpec(
            "RoundRobin.next()",
            "Ours: `next`, all servers healthy; `nextWith30PercentUnhealthy` with 30% of them"
                + " unhealthy. Peer: `dubboRoundRobin`, Apache Dubbo 3.3's `RoundRobinLoadBalance`"
                + " over stub invokers for the same servers (all of weight 1).",
            benchmarkIn("RoundRobinBenchmark."),
            List.of(perAtomic, costOver("÷ ours (same n)", ROUND_ROBIN, true))),
        new TableSpec(
            "WeightedRoundRobin.next()",
            "Weights 1..10, seeded, the same for every row at each n. Peers: `nginxBaseline`,"
                + " the textbook `synchronized` O(n) nginx loop that yields the same sequence"
                + " (`NginxSmoothWrrBaseline`, not library code), and `dubboRoundRobin`, Dubbo's"
                + " `RoundRobinLoadBalance` (also a smooth weighted round robin) with the same"
                + " weights in its invokers' URLs.",
            benchmarkIn("WeightedRoundRobinBenchmark."),
            List.of(perAtomic, costOver("÷ ours (same n)", WEIGHTED_ROUND_ROBIN, true))),
        new TableSpec(
            "LeastConnections.next() and power of two choices",
            "Every server holds 1 to 4 connections (seeded), so every full scan reads all n"
                + " servers. Ours: `next`; `nextConnectDisconnect` adds `connect` and `disconnect`"
                + " of the picked server; `powerOfTwoChoices`, the less loaded of two random"
                + " servers. Peer: `dubboLeastActive`, Dubbo's `LeastActiveLoadBalance` with the"
                + " same counts as its active calls.",
            benchmarkIn("LeastConnectionsBenchmark."),
            List.of(perAtomic, costOver("÷ ours (same n)", LEAST_CONNECTIONS, true))),
        new TableSpec(
            "ConsistentHash.getNode(String)",
            "150 virtual nodes; keys rotate through 1,024 random 16-character strings. Peers:"
                + " `dubboConsistentHash`, Dubbo's `ConsistentHashLoadBalance` (a ring as well:"
                + " MD5, a `TreeMap`, 148 points per node with `hash.nodes=150`, and a hash of the"
                + " whole invoker list on every call to notice changes), given each key as the"
                + " invocation's argument; Guava's `consistentHash` and hash4j's"
                + " `jumpBackHashSplitMix64`, bucket-number jump hashes fed `KeyHash.of(key)`, not"
                + " rings (no node names, only the last bucket can leave): they bound what a lookup"
                + " could cost.",
            m ->
                m.benchmark().startsWith("ConsistentHashBenchmark.")
                    && m.size() >= 0
                    && !m.benchmark().equals(ADD_REMOVE_NODE),
            List.of(
                costOver("÷ KeyHash.of", KEY_HASH_FLOOR, false),
                costOver("÷ ours (same n)", GET_NODE, true))),
        new TableSpec(
            "KeyHash.of(String)",
            "The key hash inside every ring lookup, on the same 16-character keys. Peer:"
                + " `hash4jXxh3`, hash4j's `xxh3_64().hashCharsToLong`, the function `KeyHash`"
                + " wraps (with a null check); their ratio is the wrapper's cost.",
            m ->
                m.benchmark().equals(KEY_HASH_FLOOR)
                    || m.benchmark().equals("ConsistentHashBenchmark.hash4jXxh3"),
            List.of(costOver("÷ ours", KEY_HASH_FLOOR, false))),
        new TableSpec(
            "ConsistentHash.addNode + removeNode",
            "One operation adds a node to a ring of 100 nodes and removes it again (150 virtual"
                + " nodes each), so it is two membership changes. With two threads each adds and"
                + " removes its own node; changes are serialized, lookups never wait.",
            m -> m.benchmark().equals(ADD_REMOVE_NODE),
            List.of(costOver("÷ getNode (same n)", GET_NODE, true))),
        new TableSpec(
            "Token bucket tryAcquire()",
            "Every limiter admits 10^9 permits a second with a burst of one second's worth, far"
                + " above what the benchmark takes, so every call is admitted (the run fails"
                + " otherwise) and the admit path is what is measured. With two threads both take"
                + " from one shared limiter. Ours: `TokenBucket.tryAcquire`. Peers: Guava's"
                + " `RateLimiter.tryAcquire`, Bucket4j's local bucket `tryConsume(1)` (its"
                + " defaults: lock-free, millisecond clock) and Resilience4j's"
                + " `AtomicRateLimiter.acquirePermission`.",
            benchmarkIn("RateLimiterBenchmark."),
            List.of(
                costOver("÷ nanoTime", NANO_TIME_FLOOR, false),
                costOver("÷ ours", TOKEN_BUCKET, false))),
        new TableSpec(
            "LoadBalancer.route(Request)",
            "n = 10 servers, round robin. `routeRateLimited` has a per-server token bucket that"
                + " always has a token (the limiters' rate and burst above); `routeStickyIp`"
                + " rotates 1,024 client IPs over the consistent hash ring;"
                + " `routeConsistentHash` uses `Algorithm.CONSISTENT_HASH` (the default ring) and"
                + " rotates 1,024 request keys.",
            benchmarkIn("FacadeBenchmark."),
            List.of(perAtomic, costOver("÷ routePlain", ROUTE_PLAIN, false))));
  }

  /**
   * Renders the measurements {@code spec} selects from {@code all} that ran on {@code threads}
   * threads as a markdown table, or returns an empty string if there are none. Rows are ordered by
   * size, then by first appearance. Tables of more than one thread add a speed-up column.
   */
  static String table(TableSpec spec, List<Measurement> all, int threads) {
    List<Measurement> rows = rows(spec.selects().and(m -> m.threads() == threads), all);
    if (rows.isEmpty()) {
      return "";
    }
    List<RatioColumn> ratios = new ArrayList<>(spec.ratios());
    if (threads > 1) {
      ratios.add(speedupOverOneThread());
    }
    List<List<String>> cells = new ArrayList<>();
    for (Measurement row : rows) {
      cells.add(cells(row, ratios, all));
    }
    return MarkdownTable.render(header(ratios, rows.get(0).mode()), cells, 2);
  }

  /** A ratio column: the row's cost over {@code reference}'s (at the row's n if sameSize). */
  static RatioColumn costOver(String header, String reference, boolean sameSize) {
    return new RatioColumn(
        header,
        (row, all) -> {
          Predicate<Measurement> isReference =
              m ->
                  m.benchmark().equals(reference)
                      && m.threads() == row.threads()
                      && (!sameSize || m.params().equals(row.params()));
          return quotient(Optional.of(row), find(all, isReference));
        });
  }

  /** A ratio column: the row's throughput over the same benchmark's on one thread. */
  static RatioColumn speedupOverOneThread() {
    return new RatioColumn(
        "speed-up vs 1 thread",
        (row, all) -> {
          Predicate<Measurement> isOneThread =
              m ->
                  m.threads() == 1
                      && m.benchmark().equals(row.benchmark())
                      && m.params().equals(row.params());
          return quotient(find(all, isOneThread), Optional.of(row));
        });
  }

  /** Returns the first's time per operation over the second's, if both were measured. */
  private static OptionalDouble quotient(Optional<Measurement> a, Optional<Measurement> b) {
    return a.isPresent() && b.isPresent()
        ? OptionalDouble.of(a.get().nanosPerOp() / b.get().nanosPerOp())
        : OptionalDouble.empty();
  }

  private static Predicate<Measurement> benchmarkIn(String prefix) {
    return m -> m.benchmark().startsWith(prefix);
  }

  private static Optional<Measurement> find(List<Measurement> all, Predicate<Measurement> which) {
    return all.stream().filter(which).findFirst();
  }

  private static List<Measurement> rows(Predicate<Measurement> selects, List<Measurement> all) {
    List<String> order = all.stream().map(Measurement::benchmark).distinct().toList();
    return all.stream()
        .filter(selects)
        .sorted(
            Comparator.comparingLong(Measurement::size)
                .thenComparingInt(m -> order.indexOf(m.benchmark())))
        .toList();
  }

  private static List<String> header(List<RatioColumn> ratios, Mode mode) {
    List<String> header = new ArrayList<>();
    header.add("benchmark");
    header.add("params");
    header.add(mode == Mode.AverageTime ? "ns/op (± error)" : "M ops/s (± error)");
    header.add("B/op");
    for (RatioColumn ratio : ratios) {
      header.add(ratio.header());
    }
    return header;
  }

  private static List<String> cells(
      Measurement row, List<RatioColumn> ratios, List<Measurement> all) {
    List<String> cells = new ArrayList<>();
    cells.add("`" + row.benchmark() + "`");
    cells.add(params(row));
    cells.add(score(row));
    cells.add(bytes(row.bytesPerOp()));
    for (RatioColumn ratio : ratios) {
      cells.add(ratio(ratio.ratio().of(row, all)));
    }
    return cells;
  }

  /** Returns "n=10", or "–" without parameters. */
  static String params(Measurement m) {
    if (m.params().isEmpty()) {
      return MISSING;
    }
    List<String> pairs = new ArrayList<>();
    m.params().forEach((name, value) -> pairs.add(name + "=" + value));
    return String.join(", ", pairs);
  }

  /** Returns "4.80 ± 0.20" (ns/op), or in millions for throughput; no "±" if the error is NaN. */
  static String score(Measurement m) {
    String text = value(m);
    if (Double.isNaN(m.error())) {
      return text;
    }
    return text + " ± " + number(m.error() * scale(m), Math.abs(m.score() * scale(m)));
  }

  /** Returns the score alone in the table's unit: "4.80" (ns/op) or "87.7" (millions of ops/s). */
  static String value(Measurement m) {
    double score = m.score() * scale(m);
    return number(score, Math.abs(score));
  }

  private static double scale(Measurement m) {
    return m.mode() == Mode.AverageTime ? 1 : 1e-6;
  }

  /** Writes {@code value} with the decimals {@code magnitude} calls for. */
  private static String number(double value, double magnitude) {
    return String.format(Locale.ROOT, "%,." + decimals(magnitude) + "f", value);
  }

  /** Returns bytes per operation: "0" below 0.05, one decimal below 10, whole bytes above. */
  static String bytes(double bytesPerOp) {
    if (Double.isNaN(bytesPerOp)) {
      return MISSING;
    }
    if (allocatesNothing(bytesPerOp)) {
      return "0";
    }
    return String.format(Locale.ROOT, bytesPerOp < 10 ? "%.1f" : "%,.0f", bytesPerOp);
  }

  /**
   * Returns whether {@code bytesPerOp} counts as no allocation: below 0.05 bytes, which is what
   * JMH's own per-iteration bookkeeping leaves spread over millions of operations.
   */
  static boolean allocatesNothing(double bytesPerOp) {
    return bytesPerOp < 0.05;
  }

  /** Returns "2.05×", "12.3×" or "1,234×"; "–" when the reference was not measured. */
  static String ratio(OptionalDouble ratio) {
    if (ratio.isEmpty()) {
      return MISSING;
    }
    double r = ratio.getAsDouble();
    return String.format(Locale.ROOT, "%,." + decimals(r) + "f×", r);
  }

  /** Three significant digits up to 100 (at least two decimals), whole numbers above. */
  private static int decimals(double value) {
    double magnitude = Math.abs(value);
    if (magnitude >= 0.1 || magnitude == 0 || !Double.isFinite(magnitude)) {
      return magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
    }
    return 2 - (int) Math.floor(Math.log10(magnitude));
  }
}
