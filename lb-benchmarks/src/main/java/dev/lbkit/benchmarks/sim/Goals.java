package dev.lbkit.benchmarks.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The goals of issues 6 and 15 for each scenario, checked against an outcome. A goal whose results
 * are absent (a policy not run) is left out.
 */
final class Goals {

  /**
   * One goal.
   *
   * @param goal what was asked
   * @param measured what the run gave
   * @param met whether it meets the goal
   */
  record Goal(String goal, String measured, boolean met) {}

  static final String PREQUAL = "Prequal";
  static final String ORACLE = "oracle (global least loaded)";

  private Goals() {}

  static List<Goal> of(Outcome o) {
    List<Goal> goals = new ArrayList<>();
    switch (o.scenario().id()) {
      case "A" -> {
        success(o, "", "least connections", 0.994).ifPresent(goals::add);
        success(o, "", "peak EWMA", 0.999).ifPresent(goals::add);
      }
      case "B" -> {
        ratio(o, "", "least connections", "round robin", 0.35, r -> r.p99().mean(), "p99")
            .ifPresent(goals::add);
        ratio(o, "", "P2C", "round robin", 0.40, r -> r.p99().mean(), "p99").ifPresent(goals::add);
      }
      case "C" -> {
        ratio(o, "85%", PREQUAL, "P2C", 0.6, r -> r.p99().mean(), "p99").ifPresent(goals::add);
        ratio(o, "85%", PREQUAL, ORACLE, 1.3, r -> r.p99().mean(), "p99").ifPresent(goals::add);
        lowest(o, "95%", PREQUAL).ifPresent(goals::add);
      }
      case "D" ->
          ratio(o, "", PREQUAL, "peak EWMA", 0.7, r -> r.p99().mean(), "p99").ifPresent(goals::add);
      case "E" -> {
        for (Outcome.Row r : o.rows()) {
          if (r.c().group().equals("slow start")) {
            ratio(
                    o,
                    "slow start",
                    r.c().policy(),
                    "without",
                    r.c().policy(),
                    0.5,
                    x -> x.windowP99().mean(),
                    "cold server's p99")
                .ifPresent(goals::add);
          }
        }
      }
      default -> {}
    }
    return goals;
  }

  private static Optional<Goal> success(Outcome o, String group, String policy, double goal) {
    return o.find(group, policy)
        .map(
            r -> {
              double rate = r.results().successRate().mean();
              return new Goal(
                  policy + ": success >= " + Report.percent(goal) + " in " + o.scenario().id(),
                  Report.percent(rate),
                  rate >= goal);
            });
  }

  private static Optional<Goal> ratio(
      Outcome o,
      String group,
      String policy,
      String base,
      double goal,
      ToDoubleFunction<Results> figure,
      String name) {
    return ratio(o, group, policy, group, base, goal, r -> figure.applyAsDouble(r), name);
  }

  private static Optional<Goal> ratio(
      Outcome o,
      String group,
      String policy,
      String baseGroup,
      String base,
      double goal,
      ToDoubleFunction<Results> figure,
      String name) {
    Optional<Outcome.Row> a = o.find(group, policy);
    Optional<Outcome.Row> b = o.find(baseGroup, base);
    if (a.isEmpty() || b.isEmpty()) {
      return Optional.empty();
    }
    double x = figure.applyAsDouble(a.get().results());
    double y = figure.applyAsDouble(b.get().results());
    String where = o.scenario().id() + (group.isEmpty() ? "" : " " + group);
    String goalText =
        baseGroup.equals(group)
            ? where + ": " + policy + "'s " + name + " <= " + x(goal) + " " + base + "'s"
            : o.scenario().id()
                + ", "
                + policy
                + ": "
                + name
                + " with "
                + group
                + " <= "
                + x(goal)
                + " "
                + baseGroup;
    return Optional.of(
        new Goal(
            goalText,
            String.format(
                Locale.ROOT, "%s (%s / %s ms)", x(x / y), Report.millis(x), Report.millis(y)),
            x / y <= goal));
  }

  private static Optional<Goal> lowest(Outcome o, String group, String policy) {
    Optional<Outcome.Row> mine = o.find(group, policy);
    if (mine.isEmpty()) {
      return Optional.empty();
    }
    double own = mine.get().results().p999().mean();
    String best = policy;
    double bestValue = own;
    for (Outcome.Row r : o.rows()) {
      if (r.c().group().equals(group) && !r.c().policy().equals(ORACLE)) {
        double v = r.results().p999().mean();
        if (v < bestValue) {
          bestValue = v;
          best = r.c().policy();
        }
      }
    }
    return Optional.of(
        new Goal(
            o.scenario().id()
                + " "
                + group
                + ": "
                + policy
                + " has the lowest p99.9 of the product algorithms",
            best.equals(policy)
                ? Report.millis(own) + " ms, lowest"
                : String.format(
                    Locale.ROOT,
                    "%s ms; lowest is %s, %s ms (%s)",
                    Report.millis(own),
                    best,
                    Report.millis(bestValue),
                    x(own / bestValue)),
            best.equals(policy)));
  }

  static String x(double ratio) {
    return String.format(Locale.ROOT, "%.2fx", ratio);
  }
}
