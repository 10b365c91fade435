package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Races between lookups and membership changes for every {@link Placement}, Maglev and Rendezvous
 * foremost. Bounded by iteration counts (the writer's changes, the readers' minimum lookups), not
 * by time; the only timeout is a guard against a hang. No sleeps, no timing assertions.
 */
class PlacementConcurrencyTest {

  /** Never removed: some node always owns every key. */
  private static final List<String> CORE = List.of("core-0", "core-1", "core-2");

  /** Added and removed over and over by the writer. */
  private static final List<String> CHURN =
      List.of("churn-0", "churn-1", "churn-2", "churn-3", "churn-4");

  private static final Set<String> UNIVERSE =
      Set.of("core-0", "core-1", "core-2", "churn-0", "churn-1", "churn-2", "churn-3", "churn-4");

  private static final List<String> KEYS = Placements.keys("key-", 1024);
  private static final int MIN_LOOKUPS_PER_READER = 200_000;
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private final ExecutorService pool = Executors.newFixedThreadPool(3);
  private final Race race = new Race();

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    race.shutDown();
  }

  /**
   * Each placement with the number of membership changes its writer makes: fewer for the default
   * Maglev table, whose rebuild costs a few milliseconds.
   */
  static Stream<Arguments> placements() {
    return Stream.of(
        Arguments.of("Maglev, 65,537 slots", factory(Maglev::new), 60),
        Arguments.of("Maglev, 1,009 slots", factory(nodes -> new Maglev<>(nodes, 1009)), 2_000),
        Arguments.of("Rendezvous", factory(Rendezvous::new), 5_000),
        Arguments.of("ConsistentHash", factory(ConsistentHash::new), 1_000));
  }

  private static Function<Collection<String>, Placement<String>> factory(
      Function<Collection<String>, Placement<String>> f) {
    return f;
  }

  /**
   * The race: lookups read the placement while addNode/removeNode build and publish the next one. A
   * lookup must see the whole old placement or the whole new one: never null while the core nodes
   * stay, never a node outside the universe, never an exception (an index past a shorter table, a
   * slot of a half-filled table, hashes and nodes from different snapshots).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("placements")
  void lookupsDuringAddAndRemoveNeverSeeAHalfBuiltPlacement(
      String name, Function<Collection<String>, Placement<String>> create, int changes)
      throws Exception {
    Placement<String> placement = create.apply(CORE);
    Random random = new Random(42); // fixed seed: the churn order is reproducible
    race.run(
        changes,
        change -> {
          String node = CHURN.get(random.nextInt(CHURN.size()));
          if (placement.nodes().contains(node)) {
            placement.removeNode(node);
          } else {
            placement.addNode(node);
          }
        },
        MIN_LOOKUPS_PER_READER,
        lookup -> {
          String key = KEYS.get(lookup & (KEYS.size() - 1));
          String owner = placement.getNode(key);
          assertThat(owner).as(key).isNotNull().isIn(UNIVERSE);
          if ((lookup & 255) == 0) {
            checkWholeSnapshotViews(placement);
          }
        });
    assertThat(placement.nodes()).containsAll(CORE).isSubsetOf(UNIVERSE);
    List<String> present = placement.nodes();
    assertThat(Placements.placement(placement, KEYS))
        .as("after the race, the placement of a fresh build over %s", present)
        .isEqualTo(Placements.placement(create.apply(present), KEYS));
  }

  /** Views a reader takes while the writer works. */
  private static void checkWholeSnapshotViews(Placement<String> placement) {
    List<String> nodes = placement.nodes();
    assertThat(nodes).containsAll(CORE).isSubsetOf(UNIVERSE).isSorted();
    assertThat(placement.size()).isBetween(CORE.size(), UNIVERSE.size());
    Map<String, Integer> dist = placement.getDistribution(KEYS.subList(0, 64));
    assertThat(dist.keySet()).containsAll(CORE).isSubsetOf(UNIVERSE);
    assertThat(dist.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(64);
  }

  /**
   * The race: two threads call addNode (and removeNode) at once. Each change is computed from the
   * state it replaces; if two could start from the same state, one node would silently go missing.
   * After both finish, the placement must hold exactly the surviving nodes and map like a fresh
   * one. (Maglev at 4,099 slots: room for the 203 nodes, cheap rebuilds.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("writerRaces")
  void concurrentAddsAndRemovesNeverLoseAnUpdate(
      String name, Function<Collection<String>, Placement<String>> create) throws Exception {
    Placement<String> placement = create.apply(CORE);
    CountDownLatch start = new CountDownLatch(1);
    int perWriter = 200;

    List<Future<?>> writers = new ArrayList<>();
    for (String prefix : List.of("left-", "right-")) {
      writers.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < perWriter; i++) {
                  placement.addNode(prefix + i);
                  if (i % 2 == 1) {
                    placement.removeNode(prefix + (i - 1)); // keep only odd-numbered nodes
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : writers) {
      assertThat(f).succeedsWithin(HANG_GUARD);
    }

    List<String> expected = new ArrayList<>(CORE);
    for (int i = 1; i < perWriter; i += 2) {
      expected.add("left-" + i);
      expected.add("right-" + i);
    }
    assertThat(placement.nodes()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(Placements.placement(placement, KEYS))
        .isEqualTo(Placements.placement(create.apply(expected), KEYS));
  }

  static Stream<Arguments> writerRaces() {
    return Stream.of(
        Arguments.of("Maglev, 4,099 slots", factory(nodes -> new Maglev<>(nodes, 4099))),
        Arguments.of("Rendezvous", factory(Rendezvous::new)));
  }
}
