package dev.lbkit.hashing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.PlacementGoldenVectorTest.GoldenFile;
import dev.lbkit.hashing.WeightedPlacements.ForEachDefaultKind;
import dev.lbkit.hashing.WeightedPlacements.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Pins the weighted placements: {@code ring-weighted-golden-v1.txt}, {@code
 * maglev-weighted-golden-v1.txt} and {@code rendezvous-weighted-golden-v1.txt} list the owner of
 * each of the keys key-0..key-999 for nodes node-0..node-9 of weights {@link #WEIGHTS} (the ring at
 * 150 virtual nodes, Maglev at 65,537 slots), as computed once with format {@value KeyHash#FORMAT}.
 * A process anywhere, of any release, reaching that weighted set by any path must agree with every
 * line. Also: weight 1 everywhere agrees with the unweighted golden files.
 *
 * <p>The files were written by {@link #main}, once: {@code java -cp <test classpath>
 * dev.lbkit.hashing.WeightedGoldenVectorTest src/test/resources/dev/lbkit/hashing}. Never
 * regenerate them to make a test pass: a deliberate change of placement needs a new format version
 * and new files.
 */
class WeightedGoldenVectorTest {

  /** The weighted node set: node-i has weight WEIGHTS.get(i), from 1 to 50, total 165. */
  static final List<Integer> WEIGHTS = List.of(1, 2, 3, 4, 5, 10, 20, 30, 40, 50);

  private static final List<String> NODES = Placements.keys("node-", 10);
  private static final List<String> KEYS = Placements.keys("key-", 1000);

  /** node-0..node-9 with their weights, in name order. */
  static Map<String, Integer> weights() {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (int i = 0; i < NODES.size(); i++) {
      weights.put(NODES.get(i), WEIGHTS.get(i));
    }
    return weights;
  }

  /** The golden file of a placement kind. */
  static String resource(Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT) + "-weighted-golden-v1.txt";
  }

  /** What the file says about the placement, after the title. */
  private static List<String> description(Kind kind) {
    return switch (kind) {
      case RING ->
          List.of(
              "# ring: nodes node-0..node-9 of weights " + WEIGHTS + " (any insertion order),",
              "#   150 virtual nodes per unit of weight: node s of weight w has the points",
              "#   KeyHash.replica(s, i) for i in [0, 150 w); a key owns the first point at or after",
              "#   KeyHash.of(key), unsigned, wrapping");
      case MAGLEV ->
          List.of(
              "# tableSize: " + Maglev.DEFAULT_TABLE_SIZE,
              "# maglev: nodes node-0..node-9 of weights " + WEIGHTS + " (any insertion order);",
              "#   offset = KeyHash.replica(name, 0) mod 65537, skip = KeyHash.replica(name, 1) mod",
              "#   65536 + 1; nodes take turns in name order, in round r = 1, 2, ... a node of weight w",
              "#   claiming its next free slot only while claims x maxWeight <= r x w (Envoy's weighted",
              "#   population); a key owns slot KeyHash.of(key) mod 65537 (unsigned)");
      case RENDEZVOUS ->
          List.of(
              "# rendezvous: nodes node-0..node-9 of weights "
                  + WEIGHTS
                  + " (any insertion order);",
              "#   h = SplitMix64-finalizer(KeyHash.of(key) XOR KeyHash.of(s)), u = ((h >>> 11) + 0.5)",
              "#   / 2^53, node s of weight w scores -w / ln(u); highest score wins, ties by name");
      case SMALL_MAGLEV -> throw new IllegalArgumentException("no golden file for " + kind);
    };
  }

  /**
   * The golden file for {@code kind}, as the current code computes it: a header that documents the
   * construction, then one {@code key<TAB>owner} line per key.
   */
  static String render(Kind kind) {
    List<String> lines = new ArrayList<>();
    String type =
        switch (kind) {
          case RING -> "ConsistentHash";
          case MAGLEV -> "Maglev";
          default -> "Rendezvous";
        };
    lines.add("# Golden vectors for dev.lbkit.hashing." + type + " with weights.");
    lines.add("# format: " + KeyHash.FORMAT);
    lines.addAll(description(kind));
    lines.add("# keys: key-0..key-999, one line per key: key<TAB>owning node");
    lines.add("# Written once by WeightedGoldenVectorTest.main.");
    lines.add("#");
    lines.add(
        "# Never edit or regenerate this file: a different line means users' keys move to other");
    lines.add(
        "# servers. A deliberate change of placement needs a new format version and a new file.");
    Placement<String> placement = kind.build(weights());
    for (String key : KEYS) {
      lines.add(key + "\t" + placement.getNode(key));
    }
    return String.join("\n", lines) + "\n";
  }

  /** Writes the three golden files into the directory {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path directory = Path.of(args[0]);
    for (Kind kind : Kind.DEFAULTS) {
      Files.writeString(directory.resolve(resource(kind)), render(kind), UTF_8);
    }
  }

  private static GoldenFile golden(Kind kind) throws IOException {
    return GoldenFile.read(resource(kind));
  }

  @ForEachDefaultKind
  void goldenFileIsForTheCurrentFormatAndComplete(Kind kind) throws IOException {
    GoldenFile golden = golden(kind);
    assertThat(golden.header().get("format")).isEqualTo(KeyHash.FORMAT);
    assertThat(golden.owners().keySet()).containsExactlyElementsOf(KEYS);
    assertThat(new HashSet<>(golden.owners().values()))
        .as("every node owns some of the 1,000 keys")
        .containsExactlyInAnyOrderElementsOf(NODES);
    if (kind == Kind.MAGLEV) {
      assertThat(golden.header().get("tableSize"))
          .isEqualTo(String.valueOf(Maglev.DEFAULT_TABLE_SIZE));
    }
  }

  /**
   * The weighted set reached in any order, by any path: nodes added with their weights; added
   * unweighted by the constructor, then weighted; added at the wrong weights first, alongside nodes
   * that come and go.
   */
  @ForEachDefaultKind
  void builtInAnyOrderTheWeightedPlacementMatchesEveryGoldenLine(Kind kind) throws IOException {
    GoldenFile golden = golden(kind);
    Map<String, Integer> weights = weights();
    List<List<String>> orders = PlacementGoldenVectorTest.orders();
    for (List<String> order : orders) {
      golden.assertMatches(kind.build(weights, order)::getNode, kind + " addNode " + order);
    }
    for (List<String> order : orders.subList(0, 3)) { // sorted, reversed, shuffled

      Placement<String> reweighted = kind.create(order);
      WeightedPlacements.addAll(reweighted, weights, order);
      golden.assertMatches(reweighted::getNode, kind + " constructor, then weights " + order);

      Placement<String> winding = kind.create(order.subList(0, 3));
      winding.addNode("node-10", 7);
      for (String node : order) {
        winding.addNode(node, weights.get(node) % 7 + 1);
      }
      winding.addNode("node-11");
      WeightedPlacements.addAll(winding, weights, order);
      winding.removeNode("node-10");
      winding.removeNode("node-11");
      golden.assertMatches(winding::getNode, kind + " wrong weights, extra nodes " + order);
    }
  }

  /** The files follow from the documented constructions: from-scratch models derive every line. */
  @Test
  void goldenFilesFollowFromTheDocumentedConstructions() throws IOException {
    Map<String, Integer> weights = weights();
    golden(Kind.RING)
        .assertMatches(
            new ReferenceRing(weights, ConsistentHash.DEFAULT_VIRTUAL_NODES)::owner,
            "from-scratch weighted ring");
    golden(Kind.MAGLEV)
        .assertMatches(
            new ReferenceMaglev(weights, Maglev.DEFAULT_TABLE_SIZE)::owner,
            "from-scratch weighted Maglev");
    golden(Kind.RENDEZVOUS)
        .assertMatches(new ReferenceRendezvous(weights)::owner, "from-scratch weighted Rendezvous");
  }

  /** The generator documented above writes exactly the checked-in files, header and all. */
  @ForEachDefaultKind
  void theGeneratorWritesExactlyTheCheckedInFile(Kind kind) throws IOException {
    try (InputStream in =
        Objects.requireNonNull(
            WeightedGoldenVectorTest.class.getResourceAsStream(resource(kind)), resource(kind))) {
      assertThat(new String(in.readAllBytes(), UTF_8))
          .as("%s: the placement or its documentation changed", resource(kind))
          .isEqualTo(render(kind));
    }
  }

  /** Weight 1 given explicitly, in any order, is the unweighted placement of the v1 files. */
  @ForEachDefaultKind
  void weightOneEverywhereMatchesTheUnweightedGoldenFiles(Kind kind) throws IOException {
    GoldenFile unweighted =
        GoldenFile.read(kind.name().toLowerCase(Locale.ROOT) + "-golden-v1.txt");
    Map<String, Integer> ones = WeightedPlacements.uniform(NODES, 1);
    List<String> reversed = new ArrayList<>(NODES);
    Collections.reverse(reversed);
    for (List<String> order : List.of(NODES, reversed)) {
      unweighted.assertMatches(kind.build(ones, order)::getNode, kind + " weight 1, " + order);
      Placement<String> changed = kind.build(weights(), order);
      WeightedPlacements.addAll(changed, ones, order);
      unweighted.assertMatches(changed::getNode, kind + " weighted, then back to 1, " + order);
    }
  }

  /** Identified nodes place like their ids. */
  @Test
  void weightedIdentifiedNodesMatchTheGoldenLinesByTheirIds() throws IOException {
    for (Kind kind : Kind.DEFAULTS) {
      Placement<ConsistentHashTest.Backend> placement = kind.create(List.of());
      weights()
          .forEach((id, w) -> placement.addNode(new ConsistentHashTest.Backend(id, "10.0.0.1"), w));
      Function<String, String> owner = key -> Objects.requireNonNull(placement.getNode(key)).id();
      golden(kind).assertMatches(owner, kind + " of Backends");
    }
  }
}
