package dev.lbkit.core;

import dev.lbkit.core.internal.LeastConnectionsIndex;
import org.jspecify.annotations.Nullable;

/**
 * The candidate with the least {@link Measure}: the first, in a rotation that starts one candidate
 * further on each pick, among those with the least, so ties go in round-robin order and, with every
 * measure equal, the picks are a plain round robin. Behind {@link LeastConnections}, {@link
 * ServerPicker#leastLoaded} and the balancer's {@link Algorithm#LEAST_CONNECTIONS} and {@link
 * Algorithm#LEAST_LOADED}.
 *
 * <p>Below {@link #INDEX_FROM} candidates, and for load, a scan: O(n), stopping early at a
 * candidate whose measure is 0; one atomic increment; no allocation. From {@link #INDEX_FROM}
 * candidates on, least connections keeps a {@link LeastConnectionsIndex} that every server tells of
 * each change of its count ({@link CountWatcher}): the same answer in O(log n) (about 20 ns at
 * 10^4, where a scan with nobody idle takes 10 us), for about 50 ns more on each connection opened
 * and closed, which is why small sets scan. Either way, counts read during the pick may change
 * before it ends: the pick is the least loaded candidate as of the reads.
 */
final class LeastPolicy extends Policy<Object> {

  /** The number of candidates from which least connections keeps an index instead of scanning. */
  static final int INDEX_FROM = 512;

  /** What "least" means: fewest active connections, or lowest load and then fewest connections. */
  enum Measure {
    /** Active connections. */
    CONNECTIONS,
    /** Reported load, ties broken by active connections. */
    LOAD;
  }

  private final PaddedCounter sequence = new PaddedCounter(0);
  private final Measure measure;

  LeastPolicy(Measure measure) {
    this.measure = measure;
  }

  /** The index over a large set of candidates, and the watchers that keep it in step. */
  static final class Indexed {
    final Server[] candidates;
    final LeastConnectionsIndex index;
    private final Slot[] slots;

    /** Tells the index of one slot's changes. */
    private static final class Slot implements CountWatcher {
      private final LeastConnectionsIndex index;
      private final int slot;

      Slot(LeastConnectionsIndex index, int slot) {
        this.index = index;
        this.slot = slot;
      }

      @Override
      public void countChanged(int from, int to) {
        index.countChanged(slot, from, to);
      }
    }

    Indexed(Server[] candidates) {
      this.candidates = candidates;
      this.index =
          new LeastConnectionsIndex(candidates.length, i -> candidates[i].activeConnections());
      this.slots = new Slot[candidates.length];
      for (int i = 0; i < candidates.length; i++) {
        slots[i] = new Slot(index, i);
        candidates[i].watchCount(slots[i]);
      }
      index.refreshAll(); // counts that changed before their watcher was in place
    }

    void detach() {
      for (int i = 0; i < candidates.length; i++) {
        candidates[i].unwatchCount(slots[i]);
      }
    }
  }

  /**
   * The candidates themselves, or for least connections over {@link #INDEX_FROM} or more, an index
   * of them; the previous index stops being told of changes.
   */
  @Override
  Object derive(Server[] candidates, @Nullable Object previous) {
    if (previous instanceof Indexed) {
      ((Indexed) previous).detach();
    }
    return measure == Measure.CONNECTIONS && candidates.length >= INDEX_FROM
        ? new Indexed(candidates)
        : candidates;
  }

  @Override
  int propose(Object state, Server[] candidates, Request request) {
    long seq = sequence.getAndIncrement();
    if (state instanceof Indexed) {
      return ((Indexed) state).index.pick(seq);
    }
    int start = Sequences.index(seq, candidates.length);
    return measure == Measure.LOAD
        ? leastLoaded(candidates, start)
        : fewestConnections(candidates, start);
  }

  /**
   * The first candidate, scanning circularly from {@code start}, with the fewest connections. Two
   * plain loops (start to end, then the beginning to start) rather than one with a wrap test, so
   * the common full scan is a tight loop over the array.
   */
  private static int fewestConnections(Server[] candidates, int start) {
    int best = start;
    int fewest = candidates[start].activeConnections();
    for (int i = start + 1; i < candidates.length && fewest > 0; i++) {
      int connections = candidates[i].activeConnections();
      if (connections < fewest) {
        best = i;
        fewest = connections;
      }
    }
    for (int i = 0; i < start && fewest > 0; i++) {
      int connections = candidates[i].activeConnections();
      if (connections < fewest) {
        best = i;
        fewest = connections;
      }
    }
    return best;
  }

  /** Like {@link #fewestConnections}, by load first and then connections. */
  private static int leastLoaded(Server[] candidates, int start) {
    int n = candidates.length;
    int i = start;
    int best = i;
    long leastLoad = candidates[i].load();
    int fewest = candidates[i].activeConnections();
    for (int step = 1; step < n && (leastLoad > 0 || fewest > 0); step++) {
      if (++i == n) {
        i = 0;
      }
      Server candidate = candidates[i];
      long load = candidate.load();
      if (load > leastLoad) {
        continue;
      }
      int connections = candidate.activeConnections();
      if (load < leastLoad || connections < fewest) {
        best = i;
        leastLoad = load;
        fewest = connections;
      }
    }
    return best;
  }

  @Override
  String name() {
    return measure == Measure.LOAD ? "LeastLoaded" : "LeastConnections";
  }
}
