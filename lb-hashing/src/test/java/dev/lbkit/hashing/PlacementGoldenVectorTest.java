package dev.lbkit.hashing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.ConsistentHashTest.Backend;
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
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the Maglev and Rendezvous placements themselves: {@code maglev-golden-v1.txt} (nodes
 * node-0..node-9, the default table of 65,537 slots) and {@code rendezvous-golden-v1.txt} (nodes
 * node-0..node-9) list the owner of each of the keys key-0..key-999, as computed once with format
 * {@value KeyHash#FORMAT}. A process anywhere, of any release, building either placement in any
 * order must agree with every line.
 */
class PlacementGoldenVectorTest {

  private static final String MAGLEV = "maglev-golden-v1.txt";
  private static final String RENDEZVOUS = "rendezvous-golden-v1.txt";

  private static final String WHY =
      "%s: the placement changed. This moves users' keys to other servers between releases;"
          + " a deliberate change needs a new format version (and a new golden file), never an"
          + " edit of %s";

  private static final List<String> NODES = Placements.keys("node-", 10);

  private static GoldenFile maglev = GoldenFile.EMPTY;
  private static GoldenFile rendezvous = GoldenFile.EMPTY;

  /** One golden file: its header fields ("# name: value") and its key to owner lines. */
  record GoldenFile(String resource, Map<String, String> header, Map<String, String> owners) {
    static final GoldenFile EMPTY = new GoldenFile("", Map.of(), Map.of());

    static GoldenFile read(String resource) throws IOException {
      Map<String, String> header = new LinkedHashMap<>();
      Map<String, String> owners = new LinkedHashMap<>();
      try (InputStream in =
              Objects.requireNonNull(
                  PlacementGoldenVectorTest.class.getResourceAsStream(resource), resource);
          BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("# format: ") || line.startsWith("# tableSize: ")) {
            int colon = line.indexOf(": ");
            header.put(line.substring(2, colon), line.substring(colon + 2));
          } else if (!line.startsWith("#") && !line.isEmpty()) {
            String[] parts = line.split("\t", -1);
            assertThat(parts).as("%s line %s", resource, line).hasSize(2);
            assertThat(owners.put(parts[0], parts[1]))
                .as("%s: duplicate key %s", resource, parts[0])
                .isNull();
          }
        }
      }
      return new GoldenFile(resource, header, owners);
    }

    void assertMatches(Function<String, ?> owner, String how) {
      for (Map.Entry<String, String> line : owners.entrySet()) {
        assertThat(owner.apply(line.getKey()))
            .as(WHY, line.getKey() + " (" + how + ")", resource)
            .isEqualTo(line.getValue());
      }
    }
  }

  @BeforeAll
  static void readGoldenFiles() throws IOException {
    maglev = GoldenFile.read(MAGLEV);
    rendezvous = GoldenFile.read(RENDEZVOUS);
  }

  @Test
  void goldenFilesAreForTheCurrentFormatAndComplete() {
    for (GoldenFile golden : List.of(maglev, rendezvous)) {
      assertThat(golden.header().get("format"))
          .as(
              "%s: the format must be KeyHash.FORMAT; a new format needs a new file",
              golden.resource())
          .isEqualTo(KeyHash.FORMAT);
      assertThat(golden.owners().keySet()).containsExactlyElementsOf(Placements.keys("key-", 1000));
      assertThat(new HashSet<>(golden.owners().values()))
          .as("%s: every node owns some of the 1,000 keys", golden.resource())
          .containsExactlyInAnyOrderElementsOf(NODES);
    }
    assertThat(maglev.header().get("tableSize"))
        .as("the Maglev golden file is for the default table size")
        .isEqualTo(String.valueOf(Maglev.DEFAULT_TABLE_SIZE));
  }

  @Test
  void maglevBuiltInAnyOrderMatchesEveryGoldenLine() {
    for (List<String> order : orders()) {
      maglev.assertMatches(new Maglev<>(order)::getNode, "Maglev constructor " + order);

      Maglev<String> grown = new Maglev<>();
      order.forEach(grown::addNode);
      maglev.assertMatches(grown::getNode, "Maglev addNode " + order);

      Maglev<String> mixed = new Maglev<>(order.subList(0, 4));
      mixed.addNode("node-10");
      order.subList(4, 10).forEach(mixed::addNode);
      mixed.addNode("node-11");
      mixed.removeNode("node-10");
      mixed.removeNode("node-11");
      maglev.assertMatches(mixed::getNode, "Maglev constructor, addNode and removeNode " + order);

      Placement<String> asPlacement = new Maglev<>(order);
      maglev.assertMatches(asPlacement::getNode, "Maglev as a Placement " + order);
    }
  }

  @Test
  void rendezvousBuiltInAnyOrderMatchesEveryGoldenLine() {
    for (List<String> order : orders()) {
      rendezvous.assertMatches(new Rendezvous<>(order)::getNode, "Rendezvous constructor " + order);

      Rendezvous<String> grown = new Rendezvous<>();
      order.forEach(grown::addNode);
      rendezvous.assertMatches(grown::getNode, "Rendezvous addNode " + order);

      Rendezvous<String> mixed = new Rendezvous<>(order.subList(0, 4));
      mixed.addNode("node-10");
      order.subList(4, 10).forEach(mixed::addNode);
      mixed.removeNode("node-10");
      rendezvous.assertMatches(
          mixed::getNode, "Rendezvous constructor, addNode and removeNode " + order);
    }
  }

  @Test
  void identifiedNodesMatchEveryGoldenLine() {
    List<Backend> backends = new ArrayList<>();
    for (String name : NODES) {
      backends.add(new Backend(name, "10.0.0." + name.length()));
    }
    Maglev<Backend> m = new Maglev<>(backends);
    maglev.assertMatches(key -> Objects.requireNonNull(m.getNode(key)).id(), "Maglev of Backends");
    Rendezvous<Backend> r = new Rendezvous<>(backends);
    rendezvous.assertMatches(
        key -> Objects.requireNonNull(r.getNode(key)).id(), "Rendezvous of Backends");
  }

  /**
   * The golden files are not just what the code once said: from-scratch models of the documented
   * constructions (hand-built bytes, the paper's permutation table, sorted scores) derive every
   * line too.
   */
  @Test
  void goldenFilesFollowFromTheDocumentedConstructions() {
    ReferenceMaglev referenceMaglev =
        new ReferenceMaglev(NODES, Integer.parseInt(maglev.header().get("tableSize")));
    maglev.assertMatches(referenceMaglev::owner, "from-scratch Maglev model");
    ReferenceRendezvous referenceRendezvous = new ReferenceRendezvous(NODES);
    rendezvous.assertMatches(referenceRendezvous::owner, "from-scratch Rendezvous model");
  }

  /** Sorted, reversed and five shuffled orders of node-0..node-9, reproducibly. */
  static List<List<String>> orders() {
    List<List<String>> orders = new ArrayList<>();
    orders.add(NODES);
    List<String> reversed = new ArrayList<>(NODES);
    Collections.reverse(reversed);
    orders.add(reversed);
    Random random = new Random(20_261_123L); // fixed: the orders are arbitrary but reproducible
    for (int i = 0; i < 5; i++) {
      List<String> shuffled = new ArrayList<>(NODES);
      Collections.shuffle(shuffled, random);
      orders.add(shuffled);
    }
    return orders;
  }
}
