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
 * The tables of the report: which measurements each shows, what each ratio is taken against, and
 * how numbers are written.
 *
 * <p>A ratio is always a cost ratio: this row's wall-clock time per operation over the reference's,
 * both measured in the same run with the same thread count. For throughput rows that is the
 * reference's ops/s over this row's ops/s, so "2.00×" reads "twice as costly as the floor" in every
 * table.
 */
final class ReportTables {

  /** The floor of every pick: one increment of a shared {@code AtomicLong}. */
  static final String ATOMIC_FLOOR = "FloorBenchmark.atomicGetAndIncrement";

  /** The floor of every key lookup: hashing the key. */
  static final String KEY_HASH_FLOOR = "ConsistentHashBenchmark.keyHash";

  private static final String ADD_REMOVE_NODE = "ConsistentHashBenchmark.addThenRemoveNode";

  private static final String MISSING = "–";

  /** How a ratio column finds its value for one row, given every measurement of the run. */
  @FunctionalInterface
  interface RatioFunction {
    OptionalDouble of(Measurement row, List<Measurement> all);
  }

  /** A ratio column: its header and how its value is found. */
  record RatioColumn(String header, RatioFunction ratio) {}

  /**
   * One table: a heading, a note printed under it, the measurements it shows and its ratio columns.
   */
  record TableSpec(
      String title, String note, Predicate<Measurement> selects, List<RatioColumn> ratios) {}

  private ReportTables() {}

  /** The report's tables, in order. */
  static List<TableSpec> standard() {
    RatioColumn perAtomic = costOver("÷ atomic floor", ATOMIC_FLOOR, false);
    return List.of(
        new TableSpec(
            "Floors",
            "What every other table is divided by. `atomicGetAndIncrement` is the floor of a pick,"
                + " `constant` is JMH's own overhead.",
            oneThread("FloorBenchmark."),
            List.of(perAtomic)),
        new TableSpec(
            "RoundRobin.next()",
            "Target: ≤ 5 ns (≤ 10 ns with 30% unhealthy) and 0 B/op; about one atomic increment.",
            oneThread("RoundRobinBenchmark."),
            List.of(perAtomic)),
        new TableSpec(
            "WeightedRoundRobin.next()",
            "Weights 1..10, seeded. `nginxBaseline` is `NginxSmoothWrrBaseline`, the textbook"
                + " `synchronized` O(n) loop that yields the same sequence (a peer, not library"
                + " code). Target: ≤ 10 / 12 ns at n = 10 / 100 and 0 B/op.",
            oneThread("WeightedRoundRobinBenchmark."),
            List.of(
                perAtomic,
                costOver("÷ nginx (same n)", "WeightedRoundRobinBenchmark.nginxBaseline", true))),
        new TableSpec(
            "LeastConnections.next()",
            "Every server holds 1 to 4 connections, so every pick scans all n servers."
                + " `nextConnectDisconnect` adds `connect` and `disconnect` of the picked server."
                + " Target: ≤ 15 / 60 ns at n = 10 / 100 and 0 B/op.",
            oneThread("LeastConnectionsBenchmark."),
            List.of(perAtomic)),
        new TableSpec(
            "ConsistentHash.getNode(String)",
            "150 virtual nodes; keys rotate through 1,024 random 16-character strings. Guava's"
                + " `consistentHash` and hash4j's `jumpBackHashSplitMix64` are bucket-number jump"
                + " hashes fed `KeyHash.of(key)`, not rings (different semantics: no node names,"
                + " only the last bucket can leave); they bound what a lookup could cost."
                + " Target: ≤ 30 / 35 / 45 ns at n = 10 / 100 / 1000 and 0 B/op.",
            oneThread("ConsistentHashBenchmark.").and(m -> !m.benchmark().equals(ADD_REMOVE_NODE)),
            List.of(
                costOver("÷ KeyHash.of", KEY_HASH_FLOOR, false),
                costOver("÷ Guava (same n)", "ConsistentHashBenchmark.guavaConsistentHash", true))),
        new TableSpec(
            "ConsistentHash.addNode + removeNode",
            "One operation adds a node to a ring of 100 nodes and removes it again (150 virtual"
                + " nodes each), so it is two membership changes. Target: ≤ 50 µs per change.",
            oneThread(ADD_REMOVE_NODE),
            List.of(costOver("÷ getNode (same n)", "ConsistentHashBenchmark.getNode", true))),
        new TableSpec(
            "LoadBalancer.route, power of two choices, token bucket",
            "n = 10 servers. `routeRateLimited` has a per-server token bucket that always has a"
                + " token; `routeStickyIp` rotates 1,024 client IPs over the consistent hash ring."
                + " `guavaTryAcquire` is Guava's `RateLimiter` at the same rate (a peer). Targets:"
                + " route ≤ 15 ns plain, ≤ 60 ns rate-limited, ≤ 120 ns sticky; P2C ≤ 20 ns; token"
                + " bucket ≤ 30 ns; 0 B/op.",
            oneThread("FacadeBenchmark."),
            List.of(perAtomic, costOver("÷ nanoTime", "FloorBenchmark.nanoTime", false))),
        new TableSpec(
            "Two threads on one shared instance (aggregate throughput)",
            "Both threads pick from one balancer, ring or counter. The ratio is the atomic floor's"
                + " two-thread ops/s over the row's; the speed-up is the row's two-thread ops/s"
                + " over its one-thread ops/s (2.00× would be perfect scaling). Targets: round robin"
                + " ≥ 100 M ops/s, weighted round robin ≥ 60 M ops/s at n = 10, ring ≥ 60 M ops/s"
                + " at n = 100.",
            m -> m.threads() == 2,
            List.of(costOver("÷ atomic floor", ATOMIC_FLOOR, false), speedupOverOneThread())));
  }

  /**
   * Renders the measurements {@code spec} selects from {@code all} as a markdown table, or returns
   * an empty string if it selects none. Rows are ordered by size, then by first appearance.
   */
  static String table(TableSpec spec, List<Measurement> all) {
    List<Measurement> rows = rows(spec, all);
    if (rows.isEmpty()) {
      return "";
    }
    List<List<String>> cells = new ArrayList<>();
    for (Measurement row : rows) {
      cells.add(cells(row, spec.ratios(), all));
    }
    return MarkdownTable.render(header(spec, rows.get(0).mode()), cells, 2);
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

  private static Predicate<Measurement> oneThread(String prefix) {
    return m -> m.threads() == 1 && m.benchmark().startsWith(prefix);
  }

  private static Optional<Measurement> find(List<Measurement> all, Predicate<Measurement> which) {
    return all.stream().filter(which).findFirst();
  }

  private static List<Measurement> rows(TableSpec spec, List<Measurement> all) {
    List<String> order = all.stream().map(Measurement::benchmark).distinct().toList();
    return all.stream()
        .filter(spec.selects())
        .sorted(
            Comparator.comparingLong(Measurement::size)
                .thenComparingInt(m -> order.indexOf(m.benchmark())))
        .toList();
  }

  private static List<String> header(TableSpec spec, Mode mode) {
    List<String> header = new ArrayList<>();
    header.add("benchmark");
    header.add("params");
    header.add(mode == Mode.AverageTime ? "ns/op (± error)" : "M ops/s (± error)");
    header.add("B/op");
    for (RatioColumn ratio : spec.ratios()) {
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
    double scale = m.mode() == Mode.AverageTime ? 1 : 1e-6;
    double score = m.score() * scale;
    String pattern = "%,." + decimals(score) + "f";
    String text = String.format(Locale.ROOT, pattern, score);
    if (Double.isNaN(m.error())) {
      return text;
    }
    return text + " ± " + String.format(Locale.ROOT, pattern, m.error() * scale);
  }

  /** Returns bytes per operation: "0" below 0.05, one decimal below 10, whole bytes above. */
  static String bytes(double bytesPerOp) {
    if (Double.isNaN(bytesPerOp)) {
      return MISSING;
    }
    if (bytesPerOp < 0.05) {
      return "0";
    }
    return String.format(Locale.ROOT, bytesPerOp < 10 ? "%.1f" : "%,.0f", bytesPerOp);
  }

  /** Returns "2.05×", "12.3×" or "1,234×"; "–" when the reference was not measured. */
  static String ratio(OptionalDouble ratio) {
    if (ratio.isEmpty()) {
      return MISSING;
    }
    double r = ratio.getAsDouble();
    return String.format(Locale.ROOT, "%,." + decimals(r) + "f×", r);
  }

  /** Three significant digits up to 100, whole numbers above. */
  private static int decimals(double value) {
    double magnitude = Math.abs(value);
    return magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  }
}
