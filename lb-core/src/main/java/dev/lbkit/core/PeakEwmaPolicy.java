package dev.lbkit.core;

import dev.lbkit.core.PeakEwma.Cell;
import dev.lbkit.core.PeakEwma.Estimate;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Peak EWMA's estimates and its pick: of two distinct random candidates, the one with the lower
 * {@code estimate x (active + 1)}. Each server's estimate is a {@link Cell} kept across changes of
 * the candidates while the server stays; see {@link PeakEwma} for the model.
 */
final class PeakEwmaPolicy extends Policy<Cell[]> {

  /** The cost of a never-observed server with calls in flight (Finagle's {@code Penalty}). */
  private static final double PENALTY = (double) (Long.MAX_VALUE >> 16);

  private final Map<Server, Cell> cells = new ConcurrentHashMap<>();
  private final Ticker ticker;
  private final RandomGenerator random;
  private final double tau;

  PeakEwmaPolicy(Ticker ticker, RandomGenerator random, Duration decay) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = Objects.requireNonNull(random, "random");
    PeakEwma.checkDecay(decay);
    this.tau = decay.getSeconds() * 1e9 + decay.getNano(); // no overflow, unlike toNanos()
  }

  /**
   * The cells of {@code candidates}, in order: kept for servers that stay, new for those that join.
   * Cells of servers that left are dropped by {@link #retain}, not here: a server that is only
   * unhealthy for a while keeps its estimate.
   */
  @Override
  Cell[] derive(Server[] candidates, Cell @Nullable [] previous) {
    Cell[] result = new Cell[candidates.length];
    for (int i = 0; i < candidates.length; i++) {
      result[i] = cells.computeIfAbsent(candidates[i], s -> new Cell());
    }
    return result;
  }

  @Override
  int propose(Cell[] state, Server[] candidates, Request request) {
    int n = candidates.length;
    int first = random.nextInt(n);
    if (n == 1) {
      return first;
    }
    int second = RandomPolicy.secondOfTwo(random, first, n);
    long now = ticker.read();
    double a = cost(candidates[first], state[first].get(), now);
    double b = cost(candidates[second], state[second].get(), now);
    return b < a ? second : first;
  }

  private double cost(Server server, Estimate estimate, long now) {
    int active = server.activeConnections();
    double latency = estimate.at(now, tau);
    if (latency == 0.0 && active > 0) {
      return PENALTY + active;
    }
    return latency * (active + 1);
  }

  /**
   * Drops the estimates of servers not in {@code members}. A health change rebuilding the cells of
   * the old servers meanwhile may recreate a removed server's cell; it goes at the next change, and
   * observations of a removed server are harmless.
   */
  void retain(Collection<Server> members) {
    cells.keySet().retainAll(new HashSet<>(members));
  }

  /** Drops the estimate of {@code server}, which left. */
  @Override
  void forget(Server server) {
    cells.remove(server);
  }

  /** Records an observation of {@code server}; one it holds no estimate for is ignored. */
  void record(Server server, long latencyNanos, boolean failed) {
    Objects.requireNonNull(server, "server");
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " (expected: >= 0)");
    }
    Cell cell = cells.get(server);
    if (cell == null) {
      return;
    }
    long now = ticker.read();
    while (true) {
      Estimate old = cell.get();
      long sample = failed ? Math.max(latencyNanos, (long) old.at(now, tau)) : latencyNanos;
      if (cell.compareAndSet(old, old.observe(sample, now, tau))) {
        return;
      }
    }
  }

  /** Returns {@code server}'s estimate now, in nanoseconds; 0 if it has none. */
  double estimateNanos(Server server) {
    Cell cell = cells.get(Objects.requireNonNull(server, "server"));
    return cell == null ? 0.0 : cell.get().at(ticker.read(), tau);
  }

  @Override
  String name() {
    return "PeakEwma";
  }
}
