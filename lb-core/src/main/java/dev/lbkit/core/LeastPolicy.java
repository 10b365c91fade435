package dev.lbkit.core;

import org.jspecify.annotations.Nullable;

/**
 * The candidate with the least {@link Measure}, found by a scan that starts one candidate further
 * on each pick, so ties go in round-robin order and, with every measure equal, the picks are a
 * plain round robin. Behind {@link LeastConnections}, {@link ServerPicker#leastLoaded} and the
 * balancer's {@link Algorithm#LEAST_CONNECTIONS} and {@link Algorithm#LEAST_LOADED}.
 *
 * <p>O(n) for n candidates, stopping early at one whose measure is 0; one atomic increment; no
 * allocation. Measures read during the scan may change before it ends: the pick is the least loaded
 * candidate as of the reads.
 */
final class LeastPolicy extends Policy<Server[]> {

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

  @Override
  Server[] derive(Server[] candidates, Server @Nullable [] previous) {
    return candidates;
  }

  @Override
  int propose(Server[] state, Server[] candidates, Request request) {
    int start = Sequences.index(sequence.getAndIncrement(), candidates.length);
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
