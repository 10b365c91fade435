package dev.lbkit.hashing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.lbkit.hashing.WeightedPlacements.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The second JVM of {@link SecondJvmPlacementTest}: builds every placement, unweighted and
 * weighted, from node lists in the order given on the command line, and writes where each key goes.
 * The test runs the same code in its own JVM from the sorted list and compares every line.
 *
 * <p>Usage: {@code PlacementPrinter <output file> <key count> <order> [<order> ...]}, each order a
 * comma-separated list of {@code name=weight}. Output: one {@code
 * variant<TAB>order#<TAB>key<TAB>node} line per variant, order and key, in UTF-8.
 */
final class PlacementPrinter {

  /** The placements compared, by name. */
  static final List<String> VARIANTS =
      List.of(
          "ring",
          "ring-weighted",
          "maglev",
          "maglev-weighted",
          "rendezvous",
          "rendezvous-weighted",
          "bounded-ring-weighted",
          "bounded-maglev");

  private PlacementPrinter() {}

  public static void main(String[] args) throws IOException {
    Path output = Path.of(args[0]);
    int keyCount = Integer.parseInt(args[1]);
    List<Map<String, Integer>> orders = new ArrayList<>();
    for (String order : Arrays.asList(args).subList(2, args.length)) {
      orders.add(parse(order));
    }
    Files.write(output, lines(orders, keyCount), UTF_8);
  }

  /** Renders {@code weights}, in its order, as the command line's {@code name=weight,...}. */
  static String format(Map<String, Integer> weights) {
    List<String> parts = new ArrayList<>();
    weights.forEach((node, w) -> parts.add(node + "=" + w));
    return String.join(",", parts);
  }

  private static Map<String, Integer> parse(String order) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String part : order.split(",", -1)) {
      int eq = part.lastIndexOf('=');
      weights.put(part.substring(0, eq), Integer.parseInt(part.substring(eq + 1)));
    }
    return weights;
  }

  /** Keys of every kind: ASCII, accented, Cyrillic, CJK, a surrogate pair, the empty key. */
  static List<String> keys(int count) {
    List<String> keys = new ArrayList<>(count);
    String[] prefixes = {"user:", "sessão-", "ключ-", "キー", "\uD83D\uDE80", ""};
    for (int i = 0; i < count; i++) {
      keys.add(i == 0 ? "" : prefixes[i % prefixes.length] + i);
    }
    return keys;
  }

  /** Every variant's placement of {@link #keys}, for each order of the weighted node set. */
  static List<String> lines(List<Map<String, Integer>> orders, int keyCount) {
    List<String> keys = keys(keyCount);
    List<String> lines = new ArrayList<>();
    for (int o = 0; o < orders.size(); o++) {
      Map<String, Integer> weights = orders.get(o);
      List<String> order = new ArrayList<>(weights.keySet());
      for (String variant : VARIANTS) {
        UnaryOperator<String> owner = owner(variant, weights, order);
        for (String key : keys) {
          lines.add(variant + "\t" + o + "\t" + key + "\t" + owner.apply(key));
        }
      }
    }
    return lines;
  }

  /**
   * The lookup of one variant, built from {@code order}. A bounded variant takes one unit of load
   * per lookup (c = 1.1, from no load), so it spills, and the spill is compared too.
   */
  private static UnaryOperator<String> owner(
      String variant, Map<String, Integer> weights, List<String> order) {
    String kindName = variant.replace("bounded-", "").replace("-weighted", "");
    Kind kind = Kind.valueOf(kindName.toUpperCase(Locale.ROOT));
    Placement<String> placement =
        variant.endsWith("-weighted") ? kind.build(weights, order) : kind.create(order);
    if (!variant.startsWith("bounded-")) {
      return key -> String.valueOf(placement.getNode(key));
    }
    Map<String, Integer> inFlight = new HashMap<>();
    BoundedLoad<String> bounded =
        new BoundedLoad<>(placement, 1.1, node -> inFlight.getOrDefault(node, 0));
    return key -> {
      String node = Objects.requireNonNull(bounded.getNode(key));
      inFlight.merge(node, 1, Integer::sum);
      return node;
    };
  }
}
