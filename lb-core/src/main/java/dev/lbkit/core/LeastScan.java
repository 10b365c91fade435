package dev.lbkit.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The healthy server with the least {@link Measure}, found by a scan that starts one server further
 * on each pick, so ties go in round-robin order and, with every measure equal, the picks are a
 * plain round robin. Behind {@link LeastConnections} and {@link ServerPicker#leastLoaded}.
 *
 * <p>O(h) for h healthy servers, stopping early at a server whose measure is 0; one atomic
 * increment; no allocation. Measures read during the scan may change before it ends: the pick is
 * the least loaded server as of the reads.
 */
final class LeastScan extends SnapshotPicker<Server[]> {

  /** What "least" means: fewest active connections, or lowest load and then fewest connections. */
  enum Measure {
    /** Active connections. */
    CONNECTIONS,
    /** Reported load, ties broken by active connections. */
    LOAD;
  }

  private final PaddedCounter sequence = new PaddedCounter(0);
  private final Measure measure;

  LeastScan(List<Server> servers, Measure measure) {
    this(servers, measure, false);
  }

  /** Creates a scan that, with {@code ignoreHealth}, counts every server as healthy. */
  LeastScan(List<Server> servers, Measure measure, boolean ignoreHealth) {
    super(new Membership<>(servers, healthy -> healthy, ignoreHealth));
    this.measure = measure;
  }

  @Override
  public @Nullable Server next() {
    Server[] healthy = membership.current().healthy;
    int n = healthy.length;
    if (n == 0) {
      return null;
    }
    int start = Sequences.index(sequence.getAndIncrement(), n);
    return measure == Measure.LOAD
        ? leastLoaded(healthy, start)
        : fewestConnections(healthy, start);
  }

  /**
   * The first server, scanning circularly from {@code start}, with the fewest connections. Two
   * plain loops (start to end, then the beginning to start) rather than one with a wrap test, so
   * the common full scan is a tight loop over the array.
   */
  private static Server fewestConnections(Server[] healthy, int start) {
    Server best = healthy[start];
    int fewest = best.activeConnections();
    for (int i = start + 1; i < healthy.length && fewest > 0; i++) {
      int connections = healthy[i].activeConnections();
      if (connections < fewest) {
        best = healthy[i];
        fewest = connections;
      }
    }
    for (int i = 0; i < start && fewest > 0; i++) {
      int connections = healthy[i].activeConnections();
      if (connections < fewest) {
        best = healthy[i];
        fewest = connections;
      }
    }
    return best;
  }

  /** Like {@link #fewestConnections}, by load first and then connections. */
  private static Server leastLoaded(Server[] healthy, int start) {
    int n = healthy.length;
    int i = start;
    Server best = healthy[i];
    long leastLoad = best.load();
    int fewest = best.activeConnections();
    for (int step = 1; step < n && (leastLoad > 0 || fewest > 0); step++) {
      if (++i == n) {
        i = 0;
      }
      Server candidate = healthy[i];
      long load = candidate.load();
      if (load > leastLoad) {
        continue;
      }
      int connections = candidate.activeConnections();
      if (load < leastLoad || connections < fewest) {
        best = candidate;
        leastLoad = load;
        fewest = connections;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return (measure == Measure.LOAD ? "LeastLoaded" : "LeastConnections") + servers();
  }
}
