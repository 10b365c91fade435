package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races between lookups and membership changes. Bounded by iteration counts, not by time; the only
 * timeout is a guard against a hang. No sleeps, no timing assertions.
 */
class ConsistentHashConcurrencyTest {

  /** Never removed: some node always owns every key. */
  private static final List<String> CORE = List.of("core-0", "core-1", "core-2");

  /** Added and removed over and over by the writer. */
  private static final List<String> CHURN =
      List.of("churn-0", "churn-1", "churn-2", "churn-3", "churn-4");

  private static final Set<String> UNIVERSE =
      Set.of("core-0", "core-1", "core-2", "churn-0", "churn-1", "churn-2", "churn-3", "churn-4");

  private static final List<String> KEYS = ConsistentHashTest.keys("key-", 1024);
  private static final int LOOKUPS_PER_READER = 1_000_000;
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private final ExecutorService pool = Executors.newFixedThreadPool(3);

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * The race: a lookup reads the ring while addNode/removeNode build and publish the next one. A
   * lookup must see the whole old ring or the whole new one: never null while the core nodes are on
   * it, never a node outside the universe, never an exception (an index past a shorter array, a
   * null owner, points and owners from different snapshots).
   */
  @Test
  void lookupsDuringAddAndRemoveNeverSeeAHalfBuiltRing() throws Exception {
    ConsistentHash<String> ring = new ConsistentHash<>(CORE);
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch readersDone = new CountDownLatch(2);
    AtomicBoolean stop = new AtomicBoolean();

    Callable<Integer> writer =
        () -> {
          Random random = new Random(42); // fixed seed: the churn order is reproducible
          start.await();
          int changes = 0;
          do {
            String node = CHURN.get(random.nextInt(CHURN.size()));
            if (ring.nodes().contains(node)) {
              ring.removeNode(node);
            } else {
              ring.addNode(node);
            }
            changes++;
          } while (!stop.get());
          return changes;
        };
    Callable<Integer> reader =
        () -> {
          try {
            start.await();
            int checked = 0;
            for (int i = 0; i < LOOKUPS_PER_READER; i++) {
              String key = KEYS.get(i & (KEYS.size() - 1));
              String owner = ring.getNode(key);
              assertThat(owner).as(key).isNotNull().isIn(UNIVERSE);
              if ((i & 255) == 0) {
                checkWholeSnapshotViews(ring, key);
              }
              checked++;
            }
            return checked;
          } finally {
            readersDone.countDown();
          }
        };

    Future<Integer> writing = pool.submit(writer);
    List<Future<Integer>> reading = new ArrayList<>();
    reading.add(pool.submit(reader));
    reading.add(pool.submit(reader));
    start.countDown();
    assertThat(readersDone.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
    stop.set(true);

    for (Future<Integer> f : reading) {
      assertThat(f).succeedsWithin(HANG_GUARD).isEqualTo(LOOKUPS_PER_READER);
    }
    assertThat(writing).succeedsWithin(HANG_GUARD);
    assertThat(ring.nodes()).containsAll(CORE);
  }

  /** Views a reader takes while the writer works, each of one snapshot. */
  private static void checkWholeSnapshotViews(ConsistentHash<String> ring, String key) {
    assertThat(ring.getNode(key, n -> true)).as(key).isNotNull().isIn(UNIVERSE);
    assertThat(ring.getNode(key, n -> n.startsWith("core-"))).as(key).isIn(CORE);

    List<String> nodes = ring.nodes();
    assertThat(nodes).containsAll(CORE).isSubsetOf(UNIVERSE).isSorted();

    Map<String, Integer> dist = ring.getDistribution(KEYS.subList(0, 64));
    assertThat(dist.keySet()).containsAll(CORE).isSubsetOf(UNIVERSE);
    assertThat(dist.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(64);
    assertThat(ring.size()).isBetween(CORE.size(), UNIVERSE.size());
  }

  /**
   * The race: lookups read the ring while changes rebucket its whole index (a shape of one point
   * per bucket makes every change here cross the bound: 3 points grow to 63 and back) or only
   * relink the successors of the buckets they touch. The writer moves a heavy node between two
   * states, so the ring is only ever in one of two states, and every lookup must answer as one of
   * them: a mix (points of one state with another's successor links, a bucket array of one size
   * with the directory of another) gives a third answer for some key, a null or an exception.
   */
  @Test
  void lookupsDuringRebucketingChangesAnswerAsTheRingBeforeOrAfter() throws Exception {
    assertLookupsSeeOneOfTwoStates(0, 60); // add and remove
    assertLookupsSeeOneOfTwoStates(1, 60); // weight up and down
  }

  private void assertLookupsSeeOneOfTwoStates(int lowWeight, int highWeight) throws Exception {
    RingIndex.Shape tiny = new RingIndex.Shape(1, 2, 1);
    String heavy = "churn-0";
    Predicate<String> notCore0 = n -> !n.equals("core-0");
    ConsistentHash<String> ring =
        new ConsistentHash<>(NodeSet.of(CORE, s -> s), 1, s -> s, ConsistentHash.MAX_POINTS, tiny);
    ConsistentHash<String> low = new ConsistentHash<>(CORE, 1);
    ConsistentHash<String> high = new ConsistentHash<>(CORE, 1);
    high.addNode(heavy, highWeight);
    if (lowWeight > 0) {
      ring.addNode(heavy, lowWeight);
      low.addNode(heavy, lowWeight);
    }
    Map<String, Set<String>> answers = new HashMap<>();
    Map<String, Set<String>> eligibleAnswers = new HashMap<>();
    for (String key : KEYS) {
      answers.put(key, new HashSet<>(Arrays.asList(low.getNode(key), high.getNode(key))));
      eligibleAnswers.put(
          key,
          new HashSet<>(Arrays.asList(low.getNode(key, notCore0), high.getNode(key, notCore0))));
    }

    Race race = new Race();
    try {
      race.run(
          2_000,
          i -> {
            if (i % 2 == 0) {
              ring.addNode(heavy, highWeight);
            } else if (lowWeight == 0) {
              ring.removeNode(heavy);
            } else {
              ring.addNode(heavy, lowWeight);
            }
          },
          20_000,
          i -> {
            String key = KEYS.get(i & (KEYS.size() - 1));
            assertThat(ring.getNode(key)).as(key).isIn(answers.get(key));
            assertThat(ring.getNode(key, notCore0)).as(key).isIn(eligibleAnswers.get(key));
          });
    } finally {
      race.shutDown();
    }
    ring.checkInvariants();
  }

  /**
   * The race: two threads call addNode (and removeNode) at once. Each change is computed from the
   * ring it replaces; if two could start from the same ring, one node would silently go missing.
   * After both finish, the ring must hold exactly the surviving nodes and map like a fresh ring.
   */
  @Test
  void concurrentAddsAndRemovesNeverLoseAnUpdate() throws Exception {
    ConsistentHash<String> ring = new ConsistentHash<>(CORE, 20);
    CountDownLatch start = new CountDownLatch(1);
    int perWriter = 200;

    List<Future<?>> writers = new ArrayList<>();
    for (String prefix : List.of("left-", "right-")) {
      writers.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < perWriter; i++) {
                  ring.addNode(prefix + i);
                  if (i % 2 == 1) {
                    ring.removeNode(prefix + (i - 1)); // keep only odd-numbered nodes
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
    assertThat(ring.nodes()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(ConsistentHashTest.placement(ring, KEYS))
        .isEqualTo(ConsistentHashTest.placement(new ConsistentHash<>(expected, 20), KEYS));
  }
}
