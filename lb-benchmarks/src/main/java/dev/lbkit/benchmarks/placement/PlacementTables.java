package dev.lbkit.benchmarks.placement;

import dev.lbkit.benchmarks.MarkdownTable;
import dev.lbkit.benchmarks.placement.Candidate.Part;
import dev.lbkit.benchmarks.placement.QualityAnalysis.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The tables of {@code docs/hashing.md}, rendered from one run's {@link Results}. */
final class PlacementTables {

  private PlacementTables() {}

  /** Lookup cost: one row per candidate, one column per node count. */
  static String lookup(List<Candidate> candidates, Results results) {
    List<String> header = new ArrayList<>(List.of("placement"));
    for (int n : Candidates.SIZES) {
      header.add("n = " + Format.count(n) + " (ns/op)");
    }
    header.add("B/op");
    List<List<String>> rows = new ArrayList<>();
    for (Candidate c : candidates) {
      if (!c.parts().contains(Part.LOOKUP)) {
        continue;
      }
      List<String> cells = new ArrayList<>(List.of(c.label()));
      double bytes = Double.NaN;
      for (int n : Candidates.SIZES) {
        Optional<Cost> cost = results.cost(c.id(), "lookup", n);
        cells.add(cost.map(Format::nanos).orElse(Format.MISSING));
        if (cost.isPresent() && !(cost.get().bytes() <= bytes)) {
          bytes = cost.get().bytes(); // the most any n allocated
        }
      }
      cells.add(Format.bytes(bytes));
      rows.add(cells);
    }
    String floor =
        results
            .keyHash()
            .map(k -> Format.nanos(k) + " ns/op, " + Format.bytes(k.bytes()) + "/op")
            .orElse("not measured");
    return MarkdownTable.render(header, rows, 1) + "\n`KeyHash.of` alone (the floor): " + floor;
  }

  /**
   * Build and change cost: one row per candidate and node count. A change's allocation is not
   * shown: JMH's GC profiler counts the whole iteration, so it would include the unmeasured undo.
   */
  static String changes(List<Candidate> candidates, Results results) {
    List<String> header =
        List.of("placement", "n", "build", "build allocates", "add one node", "remove one node");
    List<List<String>> rows = new ArrayList<>();
    for (Candidate c : candidates) {
      for (int n : Candidates.SIZES) {
        if (!c.measures(Part.CHANGES, n)) {
          continue;
        }
        Optional<Cost> build = results.cost(c.id(), "build", n);
        List<String> cells = new ArrayList<>(List.of(c.label(), Format.count(n)));
        cells.add(build.map(Format::time).orElse(Format.MISSING));
        cells.add(build.map(cost -> Format.bytes(cost.bytes())).orElse(Format.MISSING));
        for (String operation : List.of("addOne", "removeOne")) {
          cells.add(results.cost(c.id(), operation, n).map(Format::time).orElse(Format.MISSING));
        }
        rows.add(cells);
      }
    }
    return MarkdownTable.render(header, rows, 2);
  }

  /** Balance, spill and disruption: one row per candidate and node count. */
  static String quality(Results results) {
    List<String> header =
        List.of(
            "placement",
            "n",
            "max/mean",
            "min/mean",
            "spill",
            "remove one: moved/ideal",
            "remove: collateral",
            "add one: moved/ideal",
            "add: collateral");
    List<List<String>> rows = new ArrayList<>();
    for (Row r : results.rows()) {
      String last = r.candidate().churn() == Candidate.Churn.LAST ? " (last)" : "";
      rows.add(
          List.of(
              r.candidate().label(),
              Format.count(r.n()),
              Format.ratio(r.balance().maxOverMean()),
              Format.ratio(r.balance().minOverMean()),
              r.spill().isPresent() ? Format.percent(r.spill().getAsDouble()) : Format.MISSING,
              Format.ratio(r.removal().movedOverIdeal()) + last,
              Format.percent(r.removal().collateral()),
              Format.ratio(r.addition().movedOverIdeal()),
              Format.percent(r.addition().collateral())));
    }
    return MarkdownTable.render(header, rows, 2);
  }

  /** Returns "a / b / c" of {@code text} applied to each present value, "–" for absent ones. */
  static <T> String joined(List<Optional<T>> values, Function<T, String> text) {
    List<String> parts = new ArrayList<>();
    for (Optional<T> v : values) {
      parts.add(v.map(text).orElse(Format.MISSING));
    }
    return String.join(" / ", parts);
  }
}
