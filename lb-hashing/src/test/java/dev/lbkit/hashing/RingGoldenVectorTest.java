package dev.lbkit.hashing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the placement itself: {@code ring-golden-v1.txt} lists, for the ring over node-0..node-9
 * with 150 virtual nodes, the owner of each of the keys key-0..key-999, as computed once with
 * format {@value KeyHash#FORMAT}. A process anywhere, of any release, building that ring in any
 * order must agree with every line.
 */
class RingGoldenVectorTest {

  private static final String RESOURCE = "ring-golden-v1.txt";
  private static final int VIRTUAL_NODES = 150;

  private static final String WHY =
      "%s: the placement changed. This moves users' keys to other servers between releases;"
          + " a deliberate change needs a new KeyHash.FORMAT (and a new golden file), never an"
          + " edit of "
          + RESOURCE;

  private static final Map<String, String> GOLDEN = new LinkedHashMap<>();
  private static String format = "";

  private static final List<String> NODES = ConsistentHashTest.keys("node-", 10);

  @BeforeAll
  static void readGoldenFile() throws IOException {
    try (InputStream in =
            Objects.requireNonNull(
                RingGoldenVectorTest.class.getResourceAsStream(RESOURCE), RESOURCE);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("# format: ")) {
          format = line.substring("# format: ".length());
        } else if (!line.startsWith("#") && !line.isEmpty()) {
          String[] parts = line.split("\t", -1);
          assertThat(parts).as("line %s", line).hasSize(2);
          assertThat(GOLDEN.put(parts[0], parts[1])).as("duplicate key %s", parts[0]).isNull();
        }
      }
    }
  }

  @Test
  void goldenFileIsForTheCurrentFormatAndComplete() {
    assertThat(format)
        .as("the golden file's format must be KeyHash.FORMAT; a new format needs a new file")
        .isEqualTo(KeyHash.FORMAT);
    assertThat(GOLDEN.keySet()).containsExactlyElementsOf(ConsistentHashTest.keys("key-", 1000));
    assertThat(new HashSet<>(GOLDEN.values()))
        .as("every node owns some of the 1,000 keys")
        .containsExactlyInAnyOrderElementsOf(NODES);
  }

  @Test
  void ringBuiltInAnyOrderMatchesEveryGoldenLine() {
    List<List<String>> orders = new ArrayList<>();
    orders.add(NODES);
    List<String> reversed = new ArrayList<>(NODES);
    Collections.reverse(reversed);
    orders.add(reversed);
    Random random = new Random(20_240_601L); // fixed: the orders are arbitrary but reproducible
    for (int i = 0; i < 5; i++) {
      List<String> shuffled = new ArrayList<>(NODES);
      Collections.shuffle(shuffled, random);
      orders.add(shuffled);
    }

    for (List<String> order : orders) {
      assertMatchesGolden(new ConsistentHash<>(order, VIRTUAL_NODES), "constructor " + order);

      ConsistentHash<String> grown = new ConsistentHash<>(List.of(), VIRTUAL_NODES);
      order.forEach(grown::addNode);
      assertMatchesGolden(grown, "addNode " + order);

      ConsistentHash<String> mixed = new ConsistentHash<>(order.subList(0, 4), VIRTUAL_NODES);
      order.subList(4, 10).forEach(mixed::addNode);
      mixed.addNode("node-10");
      mixed.addNode("node-11");
      mixed.removeNode("node-10");
      mixed.removeNode("node-11");
      assertMatchesGolden(mixed, "constructor, addNode and removeNode " + order);
    }
  }

  /**
   * How the ring indexes its points (buckets per point, a flat or chunked directory) never shows in
   * the placement: the golden lines hold for tiny and default shapes, built at once or grown a node
   * at a time with detours.
   */
  @Test
  void everyIndexShapeMatchesEveryGoldenLine() {
    List<RingIndex.Shape> shapes =
        List.of(
            new RingIndex.Shape(1, 1, 0),
            new RingIndex.Shape(1, 4, 2),
            new RingIndex.Shape(3, 6, 1),
            new RingIndex.Shape(64, 16, 6),
            RingIndex.Shape.DEFAULT);
    for (RingIndex.Shape shape : shapes) {
      assertMatchesGolden(ring(NODES, shape), "constructor, " + shape);

      ConsistentHash<String> grown = ring(List.of(), shape);
      for (String node : NODES) {
        grown.addNode(node, 7);
        grown.addNode("detour");
        grown.addNode(node);
        grown.addNode(node, 1);
        grown.removeNode("detour");
      }
      grown.checkInvariants();
      assertMatchesGolden(grown, "grown with weight changes and detours, " + shape);
    }
  }

  private static ConsistentHash<String> ring(List<String> nodes, RingIndex.Shape shape) {
    return new ConsistentHash<>(
        NodeSet.of(nodes, s -> s), VIRTUAL_NODES, s -> s, ConsistentHash.MAX_POINTS, shape);
  }

  @Test
  void ringOfIdentifiedNodesMatchesEveryGoldenLine() {
    List<ConsistentHashTest.Backend> backends = new ArrayList<>();
    for (String name : NODES) {
      backends.add(new ConsistentHashTest.Backend(name, "10.0.0." + name.length()));
    }
    ConsistentHash<ConsistentHashTest.Backend> ring = new ConsistentHash<>(backends);
    for (Map.Entry<String, String> line : GOLDEN.entrySet()) {
      ConsistentHashTest.Backend owner = Objects.requireNonNull(ring.getNode(line.getKey()));
      assertThat(owner.id()).as(WHY, line.getKey()).isEqualTo(line.getValue());
    }
  }

  /**
   * The golden file is not just what the code once said: a from-scratch model of the documented
   * format (hand-built bytes, sorted unsigned points) derives every line too.
   */
  @Test
  void goldenFileFollowsFromTheDocumentedFormat() {
    ReferenceRing reference = new ReferenceRing(NODES, VIRTUAL_NODES);
    for (Map.Entry<String, String> line : GOLDEN.entrySet()) {
      assertThat(reference.owner(line.getKey())).as(line.getKey()).isEqualTo(line.getValue());
    }
  }

  private static void assertMatchesGolden(ConsistentHash<String> ring, String how) {
    for (Map.Entry<String, String> line : GOLDEN.entrySet()) {
      assertThat(ring.getNode(line.getKey()))
          .as(WHY, line.getKey() + " (ring built by " + how + ")")
          .isEqualTo(line.getValue());
    }
  }
}
