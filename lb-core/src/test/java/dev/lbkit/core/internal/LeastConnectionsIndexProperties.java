package dev.lbkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The index against a brute-force scan (LeastScan's rule), single-threaded: after any changes,
 * reported in order, out of order, twice, or not at all (then healed by a refresh or a rotation of
 * picks), the pick from every start is the scan's.
 */
class LeastConnectionsIndexProperties {

  /** One change: slot {@code seed mod n} moves by {@code delta}, never below 0. */
  record Change(int seed, int delta) {}

  /** One reported change of one slot. */
  record Event(int slot, int from, int to) {}

  /** A scenario: slot counts, starting from {@code initial}, changed by {@code changes}. */
  record Scenario(int[] initial, List<Change> changes, int denseLevels) {

    int size() {
      return initial.length;
    }

    /** Applies every change to {@code counts} and returns the events that report them. */
    List<Event> apply(int[] counts) {
      List<Event> events = new ArrayList<>();
      for (Change change : changes) {
        int slot = change.seed() % counts.length;
        int from = counts[slot];
        int to = Math.max(0, from + change.delta());
        counts[slot] = to;
        if (to != from) {
          events.add(new Event(slot, from, to));
        }
      }
      return events;
    }

    @Override
    public String toString() {
      return "Scenario[n="
          + initial.length
          + ", denseLevels="
          + denseLevels
          + ", changes="
          + changes.size()
          + "]";
    }
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<Integer> sizes =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.integers().between(1, 150)),
            Tuple.of(1, Arbitraries.of(4097, 5000)));
    // Mostly +1 and -1, as connections open and close; jumps, including past the overflow level.
    Arbitrary<Integer> deltas = Arbitraries.of(1, -1, 1, -1, 1, -1, 2, -2, 5, -5, 300, -300);
    Arbitrary<List<Change>> changes =
        Combinators.combine(Arbitraries.integers().greaterOrEqual(0), deltas)
            .as(Change::new)
            .list()
            .ofMaxSize(300);
    // 1: levels 0 and overflow only; 3: small counts overflow; 256: the default.
    Arbitrary<Integer> denseLevels = Arbitraries.of(1, 3, 256);
    Arbitrary<Long> seeds = Arbitraries.longs();
    return Combinators.combine(sizes, changes, denseLevels, seeds)
        .as(
            (n, list, levels, seed) -> {
              Random random = new Random(seed);
              int[] initial = new int[n];
              for (int i = 0; i < n; i++) {
                initial[i] = random.nextInt(4) == 0 ? random.nextInt(400) : random.nextInt(4);
              }
              return new Scenario(initial, list, levels);
            });
  }

  @Property(tries = 300)
  void eventsReportedInOrderKeepThePickExact(@ForAll("scenarios") Scenario scenario) {
    int[] counts = scenario.initial().clone();
    LeastConnectionsIndex index = index(scenario, counts);
    for (Event event : scenario.apply(counts)) {
      index.countChanged(event.slot(), event.from(), event.to());
    }
    assertExactFromEveryStart(index, counts);
  }

  @Property(tries = 300)
  void eventsReportedOutOfOrderAndTwiceKeepThePickExact(
      @ForAll("scenarios") Scenario scenario, @ForAll long seed) {
    int[] counts = scenario.initial().clone();
    LeastConnectionsIndex index = index(scenario, counts);
    List<Event> events = new ArrayList<>(scenario.apply(counts));
    Random random = new Random(seed);
    for (int i = 0, duplicates = events.size() / 4; i < duplicates; i++) {
      events.add(events.get(random.nextInt(events.size())));
    }
    Collections.shuffle(events, random);
    for (Event event : events) {
      index.countChanged(event.slot(), event.from(), event.to());
    }
    assertExactFromEveryStart(index, counts);
  }

  /**
   * Lost increments leave a slot below its true level, where the pick's check finds it: exact with
   * no refresh. The picks run in a shuffled order so the start-of-pick refresh cannot have fixed
   * the slot a pick is about to find.
   */
  @Property(tries = 300)
  void lostIncrementsAreRepairedByThePick(
      @ForAll("scenarios") Scenario scenario, @ForAll long seed) {
    int[] counts = scenario.initial().clone();
    LeastConnectionsIndex index = index(scenario, counts);
    Random random = new Random(seed);
    for (Event event : scenario.apply(counts)) {
      boolean lost = event.to() > event.from() && random.nextBoolean();
      if (!lost) {
        index.countChanged(event.slot(), event.from(), event.to());
      }
    }
    List<Integer> starts = new ArrayList<>();
    for (int start = 0; start < counts.length; start++) {
      starts.add(start);
    }
    Collections.shuffle(starts, random);
    for (int start : starts) {
      assertThat(index.pick(start)).as("start %d", start).isEqualTo(scan(counts, start));
    }
  }

  /** Lost changes of any kind (a rebuild race): {@code refreshAll} restores exact picks. */
  @Property(tries = 300)
  void lostEventsAreHealedByRefreshAll(@ForAll("scenarios") Scenario scenario, @ForAll long seed) {
    int[] counts = scenario.initial().clone();
    LeastConnectionsIndex index = index(scenario, counts);
    deliverSome(index, scenario.apply(counts), new Random(seed));
    index.refreshAll();
    assertExactFromEveryStart(index, counts);
  }

  /** Lost changes of any kind: one rotation of picks refreshes every slot, exact from then on. */
  @Property(tries = 300)
  void lostEventsAreHealedWithinOneRotationOfPicks(
      @ForAll("scenarios") Scenario scenario, @ForAll long seed) {
    int[] counts = scenario.initial().clone();
    LeastConnectionsIndex index = index(scenario, counts);
    deliverSome(index, scenario.apply(counts), new Random(seed));
    for (int sequence = 0; sequence < counts.length; sequence++) {
      assertThat(index.pick(sequence)).isBetween(0, counts.length - 1);
    }
    assertExactFromEveryStart(index, counts);
  }

  @Property(tries = 200)
  void theStartIsTheSequenceReadAsUnsigned(
      @ForAll("scenarios") Scenario scenario, @ForAll long sequence) {
    int[] counts = scenario.initial().clone();
    LeastConnectionsIndex index = index(scenario, counts);
    int start = (int) Long.remainderUnsigned(sequence, counts.length);
    assertThat(index.pick(sequence)).isEqualTo(scan(counts, start));
  }

  private static LeastConnectionsIndex index(Scenario scenario, int[] counts) {
    return new LeastConnectionsIndex(scenario.size(), slot -> counts[slot], scenario.denseLevels());
  }

  private static void deliverSome(LeastConnectionsIndex index, List<Event> events, Random random) {
    for (Event event : events) {
      if (random.nextInt(3) != 0) {
        index.countChanged(event.slot(), event.from(), event.to());
      }
    }
  }

  static void assertExactFromEveryStart(LeastConnectionsIndex index, int[] counts) {
    for (int start = 0; start < counts.length; start++) {
      assertThat(index.pick(start)).as("start %d", start).isEqualTo(scan(counts, start));
    }
  }

  /** LeastScan.fewestConnections over {@code counts}: the reference. */
  static int scan(int[] counts, int start) {
    int best = start;
    int fewest = counts[start];
    for (int i = start + 1; i < counts.length; i++) {
      if (counts[i] < fewest) {
        best = i;
        fewest = counts[i];
      }
    }
    for (int i = 0; i < start; i++) {
      if (counts[i] < fewest) {
        best = i;
        fewest = counts[i];
      }
    }
    return best;
  }
}
