package dev.lbkit.hashing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.ConsistentHashTest.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the Memento placement: {@code memento-golden-v1.txt} lists, for each of the keys
 * key-0..key-999, its owner in the canonical placement of node-0..node-9 and its owner after the
 * fixed history of changes the file's header spells out, as computed once with format {@value
 * KeyHash#FORMAT}. Any process, of any release, building the placement in any order and then making
 * those changes in that order must agree with every line, and with the bucket layout the header
 * lists.
 */
class MementoGoldenVectorTest {

  private static final String RESOURCE = "memento-golden-v1.txt";
  private static final List<String> NODES = Placements.keys("node-", 10);

  private static final String WHY =
      "%s: the placement changed. This moves users' keys to other servers between releases; a"
          + " deliberate change needs a new format version (and a new golden file), never an edit"
          + " of "
          + RESOURCE;

  private static final Map<String, String> HEADER = new LinkedHashMap<>();
  private static final Map<String, String> CANONICAL = new LinkedHashMap<>();
  private static final Map<String, String> AFTER_HISTORY = new LinkedHashMap<>();

  @BeforeAll
  static void readGoldenFile() throws IOException {
    String text;
    try (InputStream in =
        Objects.requireNonNull(MementoGoldenVectorTest.class.getResourceAsStream(RESOURCE))) {
      text = new String(in.readAllBytes(), UTF_8);
    }
    for (String line : text.split("\n", -1)) {
      if (line.matches("# (format|history|layout): .*")) {
        HEADER.put(line.substring(2, line.indexOf(':')), line.substring(line.indexOf(": ") + 2));
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        String[] columns = line.split("\t", -1);
        assertThat(columns).as(line).hasSize(3);
        assertThat(CANONICAL.put(columns[0], columns[1])).as("duplicate %s", columns[0]).isNull();
        AFTER_HISTORY.put(columns[0], columns[2]);
      }
    }
  }

  /** The history in the header, as (node, weight) steps; weight 0 removes. */
  private static List<Map.Entry<String, Integer>> history() {
    List<Map.Entry<String, Integer>> steps = new ArrayList<>();
    for (String step : HEADER.get("history").split(" ", -1)) {
      if (step.startsWith("-")) {
        steps.add(Map.entry(step.substring(1), 0));
      } else if (step.startsWith("+")) {
        steps.add(Map.entry(step.substring(1), 1));
      } else {
        String[] nodeAndWeight = step.split("=", -1);
        steps.add(Map.entry(nodeAndWeight[0], Integer.parseInt(nodeAndWeight[1])));
      }
    }
    return steps;
  }

  /** The layout in the header: node to its buckets, in the order it took them. */
  private static Map<String, List<Integer>> layout() {
    Map<String, List<Integer>> layout = new TreeMap<>();
    for (String entry : HEADER.get("layout").split(" ", -1)) {
      String[] nodeAndBuckets = entry.split(":", -1);
      layout.put(
          nodeAndBuckets[0],
          Arrays.stream(nodeAndBuckets[1].split(",", -1)).map(Integer::valueOf).toList());
    }
    return layout;
  }

  private static void assertMatches(
      Map<String, String> golden, Function<String, String> owner, String how) {
    golden.forEach(
        (key, expected) ->
            assertThat(owner.apply(key)).as(WHY, key + " (" + how + ")").isEqualTo(expected));
  }

  /** The sorted names, reversed, and rotated by 3 and 7: arbitrary, reproducible orders. */
  private static List<List<String>> orders() {
    List<List<String>> orders = new ArrayList<>();
    for (int rotation : new int[] {0, 3, 7}) {
      List<String> rotated = new ArrayList<>(NODES);
      Collections.rotate(rotated, rotation);
      orders.add(rotated);
      List<String> reversed = new ArrayList<>(rotated);
      Collections.reverse(reversed);
      orders.add(reversed);
    }
    return orders;
  }

  @Test
  void goldenFileIsForTheCurrentFormatAndComplete() {
    assertThat(HEADER.get("format"))
        .as("the format must be KeyHash.FORMAT; a new format needs a new file")
        .isEqualTo(KeyHash.FORMAT);
    assertThat(CANONICAL.keySet()).containsExactlyElementsOf(Placements.keys("key-", 1000));
    assertThat(new TreeSet<>(CANONICAL.values()))
        .as("every node owns some of the 1,000 keys")
        .containsExactlyElementsOf(new TreeSet<>(NODES));
    assertThat(new TreeSet<>(AFTER_HISTORY.values()))
        .as("after the history, every node of the layout owns some keys")
        .containsExactlyElementsOf(layout().keySet());
  }

  @Test
  void constructionInAnyOrderThenTheHistoryMatchesEveryGoldenLine() {
    for (List<String> order : orders()) {
      Memento<String> memento = new Memento<>(order);
      assertMatches(CANONICAL, memento::getNode, "constructor " + order);
      for (Map.Entry<String, Integer> step : history()) {
        MementoProperties.setWeight(memento, step.getKey(), step.getValue());
      }
      assertMatches(AFTER_HISTORY, memento::getNode, "constructor " + order + ", then the history");
      Map<String, List<Integer>> layout = new TreeMap<>();
      for (String node : memento.nodes()) {
        layout.put(node, Arrays.stream(memento.buckets(node)).boxed().toList());
      }
      assertThat(layout).as(WHY, "the bucket layout").isEqualTo(layout());
    }
  }

  @Test
  void identifiedNodesMatchEveryCanonicalLine() {
    List<Backend> backends = new ArrayList<>();
    for (String name : NODES) {
      backends.add(new Backend(name, "10.0.0." + name.length()));
    }
    Memento<Backend> memento = new Memento<>(backends);
    assertMatches(
        CANONICAL, key -> Objects.requireNonNull(memento.getNode(key)).id(), "Memento of Backends");
  }

  /**
   * The golden file is not just what the code once said: the from-scratch model (explicit
   * positions, hash4j's JumpBackHash, hand-built key bytes) derives every line and the layout.
   */
  @Test
  void goldenFileFollowsFromTheModel() {
    ReferenceMemento reference = new ReferenceMemento(NODES);
    assertMatches(CANONICAL, reference::owner, "from-scratch model");
    for (Map.Entry<String, Integer> step : history()) {
      reference.setWeight(step.getKey(), step.getValue());
    }
    assertMatches(AFTER_HISTORY, reference::owner, "from-scratch model, then the history");
    layout().forEach((node, buckets) -> assertThat(reference.bucketsOf(node)).isEqualTo(buckets));
  }
}
