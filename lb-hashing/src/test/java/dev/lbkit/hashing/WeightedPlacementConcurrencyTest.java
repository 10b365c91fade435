package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.WeightedPlacements.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Races between lookups and membership and weight changes, for the weighted placements and for
 * {@link BoundedLoad} over each (whose readers also take and release load while they look up). In
 * the manner of {@link PlacementConcurrencyTest}, run by {@link Race}: bounded by counts, not time;
 * no sleeps.
 */
class WeightedPlacementConcurrencyTest {

  /** Never removed, but reweighted: some node always owns every key. */
  private static final List<String> CORE = List.of("core-0", "core-1", "core-2");

  /** Added at random weights, reweighted and removed by the writer. */
  private static final List<String> CHURN = List.of("churn-0", "churn-1", "churn-2", "churn-3");

  private static final Set<String> UNIVERSE =
      Set.of("core-0", "core-1", "core-2", "churn-0", "churn-1", "churn-2", "churn-3");

  private static final List<String> KEYS = Placements.keys("key-", 1024);
  private static final int MIN_LOOKUPS_PER_READER = 20_000;

  private final Race race = new Race();

  @AfterEach
  void shutDown() throws InterruptedException {
    race.shutDown();
  }

  /** Each base, bounded or not, with the number of changes its writer makes. */
  static Stream<Arguments> placements() {
    List<Arguments> all = new ArrayList<>();
    for (boolean bounded : new boolean[] {false, true}) {
      all.add(Arguments.of(Kind.RING, bounded, 300));
      all.add(Arguments.of(Kind.SMALL_MAGLEV, bounded, 600));
      all.add(Arguments.of(Kind.RENDEZVOUS, bounded, 1_000));
    }
    all.add(Arguments.of(Kind.MAGLEV, false, 20)); // a rebuild costs milliseconds here
    return all.stream();
  }

  /**
   * The race: lookups (plain and with an eligibility predicate; bounded ones taking a unit of load
   * and giving it back) while addNode(node, weight) and removeNode build and publish the next
   * placement. Every answer must come from one whole snapshot: never null while the core nodes
   * stay, never a node outside the universe, never an ineligible node, weights in range, and a
   * distribution of every key over the nodes of one snapshot.
   */
  @ParameterizedTest(name = "{0}, bounded: {1}")
  @MethodSource("placements")
  void lookupsDuringWeightAndMembershipChangesNeverSeeAHalfBuiltPlacement(
      Kind kind, boolean bounded, int changes) throws Exception {
    Placement<String> base = kind.create(CORE);
    Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    UNIVERSE.forEach(node -> loads.put(node, new AtomicInteger()));
    Placement<String> placement =
        bounded ? new BoundedLoad<>(base, 1.1, node -> loads.get(node).get()) : base;
    Random random = new Random(42); // fixed seed: the change sequence is reproducible
    race.run(
        changes,
        change -> {
          int pick = random.nextInt(CORE.size() + CHURN.size());
          String node = pick < CORE.size() ? CORE.get(pick) : CHURN.get(pick - CORE.size());
          if (!CORE.contains(node) && placement.weight(node) > 0 && random.nextBoolean()) {
            placement.removeNode(node);
          } else {
            placement.addNode(node, 1 + random.nextInt(4));
          }
        },
        MIN_LOOKUPS_PER_READER,
        lookup -> {
          String key = KEYS.get(lookup & (KEYS.size() - 1));
          String owner = placement.getNode(key);
          assertThat(owner).as(key).isNotNull().isIn(UNIVERSE);
          AtomicInteger load = loads.get(owner);
          load.incrementAndGet();
          String core = placement.getNode(key, CORE::contains);
          assertThat(core).as("%s, core nodes eligible", key).isNotNull().isIn(CORE);
          load.decrementAndGet();
          if ((lookup & 255) == 0) {
            checkWholeSnapshotViews(placement);
          }
        });

    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String node : placement.nodes()) {
      weights.put(node, placement.weight(node));
    }
    assertThat(weights.keySet()).containsAll(CORE).isSubsetOf(UNIVERSE);
    assertThat(Placements.placement(placement, KEYS))
        .as("after the race (loads back to 0), a fresh build of %s", weights)
        .isEqualTo(Placements.placement(kind.build(weights), KEYS));
  }

  /** Views a reader takes while the writer works. */
  private static void checkWholeSnapshotViews(Placement<String> placement) {
    List<String> nodes = placement.nodes();
    assertThat(nodes).containsAll(CORE).isSubsetOf(UNIVERSE).isSorted();
    for (String node : CORE) {
      assertThat(placement.weight(node)).as(node).isBetween(1, 4);
    }
    Map<String, Integer> dist = placement.getDistribution(KEYS.subList(0, 64));
    assertThat(dist.keySet()).containsAll(CORE).isSubsetOf(UNIVERSE);
    assertThat(dist.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(64);
  }
}
