package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races between lookups and changes to a {@link Memento}, and between two writers. A Memento's
 * placement depends on the order of its changes, so the writer follows a fixed script that is first
 * replayed alone: every state the readers may see is known in advance, in order. Bounded by counts,
 * not time; the only timeout guards against a hang. No sleeps, no timing assertions.
 */
class MementoConcurrencyTest {

  private static final List<String> CORE = List.of("core-0", "core-1", "core-2");
  private static final List<String> CHURN = Placements.keys("churn-", 5);
  private static final Set<String> UNIVERSE =
      Set.of("core-0", "core-1", "core-2", "churn-0", "churn-1", "churn-2", "churn-3", "churn-4");
  private static final List<String> KEYS = Placements.keys("key-", 1024);
  private static final List<String> PROBE_KEYS = KEYS.subList(0, 64);
  private static final int STEPS = 3_000;
  private static final int MIN_LOOKUPS_PER_READER = 200_000;
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private final ExecutorService threads = Executors.newFixedThreadPool(3);

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** The writer's script: a churn node and its new weight (0 removes it), from a fixed seed. */
  private static List<Map.Entry<String, Integer>> script() {
    Random random = new Random(42); // fixed: the script, and so every state, is reproducible
    List<Map.Entry<String, Integer>> steps = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      steps.add(Map.entry(CHURN.get(random.nextInt(CHURN.size())), random.nextInt(4)));
    }
    return steps;
  }

  /**
   * The race: lookups and whole-snapshot reads while the writer takes and gives up buckets. A
   * reader must never see a half-made change (a bucket without an owner, an owner array from one
   * snapshot and a bucket state from another: a null, a removed node, an exception), and its
   * distribution reads must each equal one of the script's states, never going back.
   */
  @Test
  void readersSeeTheScriptsStatesWholeAndInOrder() throws Exception {
    List<Map.Entry<String, Integer>> script = script();
    Memento<String> replay = new Memento<>(CORE);
    List<Map<String, Integer>> states = new ArrayList<>();
    states.add(replay.getDistribution(PROBE_KEYS));
    for (Map.Entry<String, Integer> step : script) {
      MementoProperties.setWeight(replay, step.getKey(), step.getValue());
      states.add(replay.getDistribution(PROBE_KEYS));
    }

    Memento<String> memento = new Memento<>(CORE);
    CyclicBarrier start = new CyclicBarrier(3);
    AtomicBoolean written = new AtomicBoolean();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              await(start);
              script.forEach(s -> MementoProperties.setWeight(memento, s.getKey(), s.getValue()));
              written.set(true);
            },
            threads);
    List<CompletableFuture<Integer>> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      readers.add(
          CompletableFuture.supplyAsync(
              () -> {
                await(start);
                int lookups = 0;
                int state = 0; // the earliest state this reader may still see
                while (!written.get() || lookups < MIN_LOOKUPS_PER_READER) {
                  String key = KEYS.get(lookups & 1023);
                  String owner = memento.getNode(key);
                  String coreOwner = memento.getNode(key, CORE::contains);
                  if (!UNIVERSE.contains(owner) || !CORE.contains(coreOwner)) {
                    throw new AssertionError(key + ": " + owner + ", among core: " + coreOwner);
                  }
                  if ((lookups & 63) == 0) {
                    Map<String, Integer> seen = memento.getDistribution(PROBE_KEYS);
                    int at = state;
                    while (at < states.size() && !states.get(at).equals(seen)) {
                      at++;
                    }
                    assertThat(at)
                        .as("%s is no state at or after #%d", seen, state)
                        .isLessThan(states.size());
                    state = at;
                  }
                  lookups++;
                }
                return lookups;
              },
              threads));
    }

    writer.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
    for (CompletableFuture<Integer> reader : readers) {
      assertThat(reader.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
          .isGreaterThanOrEqualTo(MIN_LOOKUPS_PER_READER);
    }
    assertThat(Placements.placement(memento, KEYS))
        .as("after the race, the placement of the script replayed alone")
        .isEqualTo(Placements.placement(replay, KEYS));
  }

  /**
   * The race: two threads change the placement at once. Each change is computed from the snapshot
   * it replaces; if two started from the same one, a node would go missing, or two nodes would
   * claim one bucket, or a bucket would work with no owner. After both finish, the nodes are
   * exactly the survivors and the working buckets are theirs, one each.
   */
  @Test
  void concurrentChangesNeverLoseAnUpdate() throws Exception {
    Memento<String> memento = new Memento<>(CORE);
    CyclicBarrier start = new CyclicBarrier(2);
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (String side : List.of("left-", "right-")) {
      writers.add(
          CompletableFuture.runAsync(
              () -> {
                await(start);
                for (int i = 0; i < 200; i++) {
                  memento.addNode(side + i, 1 + i % 3);
                  if (i % 2 == 1) {
                    memento.removeNode(side + (i - 1)); // keeps the odd-numbered nodes
                  }
                }
              },
              threads));
    }
    for (CompletableFuture<Void> w : writers) {
      w.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
    }

    Set<String> expected = new HashSet<>(CORE);
    for (int i = 1; i < 200; i += 2) {
      expected.add("left-" + i);
      expected.add("right-" + i);
    }
    assertThat(memento.nodes()).containsExactlyInAnyOrderElementsOf(expected);
    MementoHash buckets = memento.bucketState();
    Set<Integer> owned = new HashSet<>();
    int total = 0;
    for (String node : memento.nodes()) {
      int[] held = memento.buckets(node);
      assertThat(held).as(node).hasSize(memento.weight(node));
      for (int b : held) {
        assertThat(buckets.isWorking(b)).as("bucket %d of %s", b, node).isTrue();
        assertThat(owned.add(b)).as("bucket %d has two owners", b).isTrue();
      }
      total += held.length;
    }
    assertThat(buckets.size()).as("working buckets, all owned").isEqualTo(total);
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("start barrier", e);
    }
  }
}
