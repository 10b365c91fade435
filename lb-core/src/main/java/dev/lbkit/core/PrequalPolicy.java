package dev.lbkit.core;

import dev.lbkit.core.ProbePool.Entry;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Prequal (Wydrowski, Kleinberg, Rumble, Archer, NSDI 2024): picks from a pool of recent probe
 * results by the hot-cold lexicographic rule, and keeps the pool filled by probing random
 * candidates at a rate tied to the pick rate, off the pick path.
 *
 * <h2>The pick</h2>
 *
 * Of the live results in the {@link ProbePool} (younger than the age limit, uses left), those whose
 * RIF is below the {@code Q_RIF} quantile of the pool's RIFs are cold: the cold one with the lowest
 * latency estimate wins (ties: lower RIF, then the first slot). If none is cold, the one with the
 * lowest RIF wins (ties: lower latency). Exact ties go in rotation: the scan starts one slot
 * further on each pick. The winner's RIF goes up by one (the request just sent there) and its uses
 * down by one; a result with no uses left leaves the pool. A result of a server that is no longer a
 * candidate is dropped and the rule runs again. With no live result the pick is a uniformly random
 * candidate, as in the paper.
 *
 * <p>Cost: O(k^2) reads of the k = {@code poolSize} slots for the quantile (a count per result of
 * the results at or below it, with no array to sort, so no allocation), one hash look-up for the
 * winner's index, one atomic increment for the rotation, one random draw only when the pool is
 * empty. With k = 16 that is 256 int reads.
 *
 * <h2>The probes</h2>
 *
 * Each pick adds {@code probesPerRequest} to a probe credit (in thousandths, one atomic add). When
 * a whole probe is due and no drain is running, the pick hands one preallocated task to the
 * executor; the task starts the due probes (at most {@link PrequalConfig#MAX_BATCH_POOLS} pools'
 * worth per batch; credit beyond that is dropped) on uniformly random current candidates, and each
 * answer enters the pool when it arrives, on whatever thread completes it. The user's probe never
 * runs on the picking thread unless the executor is {@code Runnable::run}.
 */
final class PrequalPolicy extends Policy<PrequalPolicy.State> {

  private static final long UNIT = 1000; // probe credit per probe

  /** The candidates and each one's index, for resolving a pool entry to a candidate. */
  static final class State {
    final Server[] candidates;
    final Map<Server, Integer> index;

    State(Server[] candidates) {
      this.candidates = candidates;
      this.index = new HashMap<>(candidates.length * 2);
      for (int i = 0; i < candidates.length; i++) {
        index.put(candidates[i], i);
      }
    }
  }

  private final PrequalConfig config;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final ProbePool pool;
  private final long creditPerPick;
  private final PaddedCounter sequence = new PaddedCounter(0);
  private final AtomicLong credit = new AtomicLong();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Runnable drain = this::drainProbes;
  private final LongAdder probesSent = new LongAdder();
  private final LongAdder probesFailed = new LongAdder();
  private volatile @Nullable State latest;

  PrequalPolicy(PrequalConfig config, Ticker ticker, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = Objects.requireNonNull(random, "random");
    this.pool = new ProbePool(config.poolSize, config.maxAgeNanos, config.maxReuse);
    this.creditPerPick = Math.max(1, Math.round(config.probesPerRequest * UNIT));
  }

  @Override
  State derive(Server[] candidates, @Nullable State previous) {
    State state = new State(candidates);
    latest = state;
    return state;
  }

  @Override
  int propose(State state, Server[] candidates, Request request) {
    int chosen = select(state, ticker.read());
    if (chosen < 0) {
      chosen = random.nextInt(candidates.length);
    }
    long due = credit.addAndGet(creditPerPick);
    if (due >= UNIT && !draining.get() && draining.compareAndSet(false, true)) {
      startDrain();
    }
    return chosen;
  }

  /** Returns the index among the state's candidates chosen from the pool, or -1 if none. */
  int select(State state, long now) {
    for (int round = 0; round < pool.capacity(); round++) {
      int slot = hotCold(now);
      if (slot < 0) {
        return -1;
      }
      Entry winner = pool.live(slot, now);
      if (winner == null) {
        continue; // expired or replaced since; choose again
      }
      Integer index = state.index.get(winner.server);
      if (index == null) {
        pool.clear(slot, winner); // not a candidate (any more)
        continue;
      }
      if (!winner.use()) {
        pool.clear(slot, winner);
      }
      return index;
    }
    return -1;
  }

  /** Returns the slot the hot-cold lexicographic rule picks, or -1 if the pool is empty. */
  private int hotCold(long now) {
    int k = pool.capacity();
    int live = 0;
    for (int i = 0; i < k; i++) {
      if (pool.live(i, now) != null) {
        live++;
      }
    }
    if (live == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(config.rifQuantile * live); // 1-based rank of the quantile
    int threshold = Integer.MAX_VALUE; // the smallest RIF with at least `rank` results at or below
    for (int i = 0; i < k; i++) {
      Entry e = pool.live(i, now);
      if (e == null || e.rif() >= threshold) {
        continue;
      }
      int v = e.rif();
      int atOrBelow = 0;
      for (int j = 0; j < k; j++) {
        Entry o = pool.live(j, now);
        if (o != null && o.rif() <= v) {
          atOrBelow++;
        }
      }
      if (atOrBelow >= rank) {
        threshold = v;
      }
    }
    int cold = -1;
    int hot = -1;
    Entry coldBest = null;
    Entry hotBest = null;
    int start = Sequences.index(sequence.getAndIncrement(), k); // exact ties in rotation
    for (int step = 0; step < k; step++) {
      int i = start + step < k ? start + step : start + step - k;
      Entry e = pool.live(i, now);
      if (e == null) {
        continue;
      }
      if (e.rif() < threshold) {
        if (coldBest == null || lowerLatency(e, coldBest)) {
          cold = i;
          coldBest = e;
        }
      } else if (hotBest == null || lowerRif(e, hotBest)) {
        hot = i;
        hotBest = e;
      }
    }
    return cold >= 0 ? cold : hot;
  }

  private static boolean lowerLatency(Entry a, Entry b) {
    return a.latencyNanos < b.latencyNanos
        || (a.latencyNanos == b.latencyNanos && a.rif() < b.rif());
  }

  private static boolean lowerRif(Entry a, Entry b) {
    return a.rif() < b.rif() || (a.rif() == b.rif() && a.latencyNanos < b.latencyNanos);
  }

  private void startDrain() {
    try {
      config.executor.execute(drain);
    } catch (RejectedExecutionException e) {
      draining.set(false); // a shut-down executor: no probes, picks go on from what the pool has
    }
  }

  /** Starts the probes that are due; runs on the executor, one drain at a time. */
  private void drainProbes() {
    do {
      try {
        long batchCap = (long) config.poolSize * PrequalConfig.MAX_BATCH_POOLS;
        while (true) {
          long c = credit.get();
          if (c < UNIT) {
            break;
          }
          long whole = c / UNIT;
          if (credit.compareAndSet(c, c - whole * UNIT)) {
            sendProbes((int) Math.min(whole, batchCap));
          }
        }
      } finally {
        draining.set(false);
      }
    } while (credit.get() >= UNIT && draining.compareAndSet(false, true));
  }

  /** Starts {@code count} probes of uniformly random current candidates. */
  private void sendProbes(int count) {
    State state = latest;
    if (state == null || state.candidates.length == 0) {
      return;
    }
    Server[] candidates = state.candidates;
    for (int p = 0; p < count; p++) {
      Server server = candidates[random.nextInt(candidates.length)];
      probesSent.increment();
      CompletionStage<LoadReport> answer;
      try {
        answer = config.probe.probe(server);
      } catch (RuntimeException e) {
        probesFailed.increment(); // the user's probe threw: ignored, as documented
        continue;
      }
      if (answer == null) {
        probesFailed.increment();
        continue;
      }
      CompletionStage<LoadReport> unused =
          answer.whenComplete(
              (report, failure) -> {
                if (failure == null && report != null) {
                  pool.add(server, report, ticker.read());
                } else {
                  probesFailed.increment();
                }
              });
    }
  }

  /** Puts {@code report} of {@code server} in the pool as if a probe had just answered. */
  void offer(Server server, LoadReport report) {
    pool.add(server, report, ticker.read());
  }

  @Override
  void forget(Server server) {
    pool.remove(server);
  }

  /** Returns the probe results live now; for tests and stats. */
  int poolSize() {
    return pool.size(ticker.read());
  }

  /** Returns the probes started so far. */
  long probesSent() {
    return probesSent.sum();
  }

  /** Returns the probes that threw, returned null or failed so far. */
  long probesFailed() {
    return probesFailed.sum();
  }

  @Override
  String name() {
    return "Prequal";
  }
}
