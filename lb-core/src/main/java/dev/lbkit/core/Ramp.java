package dev.lbkit.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where each candidate stands in its {@link SlowStart}: the time it became a candidate, derived
 * with the rest of an algorithm's state whenever the candidates change, never per pick.
 *
 * <p>A candidate that was one in the previous derivation keeps its start, so a warm server stays
 * warm through every change of the others; one that was not (it joined, or came back healthy)
 * starts now. In the first derivation of a balancer or picker every candidate is warm: the servers
 * it was built with take their full share at once. {@link #active} is one comparison, so algorithms
 * pay for the ramp only while one runs.
 */
final class Ramp {

  /** The start of a server that is warm from the beginning. */
  private static final long WARM = Long.MIN_VALUE;

  private final SlowStart slowStart;
  private final Server[] candidates;
  private final long[] since;
  private final boolean anyRamping;
  private final long end; // when the last ramp ends; meaningless unless anyRamping

  private Ramp(SlowStart slowStart, Server[] candidates, long[] since, long now) {
    this.slowStart = slowStart;
    this.candidates = candidates;
    this.since = since;
    long window = slowStart.windowNanos();
    boolean ramping = false;
    long last = now;
    for (long s : since) {
      if (s != WARM && now - s < window) {
        long e = s + window;
        if (!ramping || e - last > 0) {
          last = e;
        }
        ramping = true;
      }
    }
    this.anyRamping = ramping;
    this.end = last;
  }

  /** Derives the ramp of {@code candidates} at {@code now} from the previous one (null: first). */
  static Ramp derive(SlowStart slowStart, Server[] candidates, @Nullable Ramp previous, long now) {
    long[] since = new long[candidates.length];
    if (previous == null) {
      Arrays.fill(since, WARM);
      return new Ramp(slowStart, candidates, since, now);
    }
    Map<Server, Long> before = new HashMap<>(previous.candidates.length * 2);
    for (int i = 0; i < previous.candidates.length; i++) {
      before.put(previous.candidates[i], previous.since[i]);
    }
    for (int i = 0; i < candidates.length; i++) {
      Long kept = before.get(candidates[i]);
      since[i] = kept != null ? kept : now;
    }
    return new Ramp(slowStart, candidates, since, now);
  }

  /** Returns whether some candidate is still ramping at {@code now}. */
  boolean active(long now) {
    return anyRamping && now - end < 0;
  }

  /** Returns the share of its weight candidate {@code i} has at {@code now}, in (0, 1]. */
  double factor(int i, long now) {
    long s = since[i];
    return s == WARM ? 1.0 : slowStart.factor(Math.max(0, now - s));
  }
}
