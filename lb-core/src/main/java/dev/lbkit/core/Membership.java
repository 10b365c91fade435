package dev.lbkit.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The servers of one algorithm, the healthy subset of them, and what the algorithm derives from
 * that subset, as one immutable {@link Snapshot}. {@link #current()} returns a snapshot whose
 * healthy subset was read after the last health change that happened before the call; it rebuilds
 * the snapshot only when some server's health changed since it was built.
 *
 * <p>A membership made with {@code ignoreHealth} counts every server as healthy: the algorithm then
 * picks among all of them. Only the {@link LoadBalancer}'s panic picker uses it (see {@link
 * LoadBalancer.Builder#panicThreshold}); public pickers never return an unhealthy server.
 *
 * @param <S> what the algorithm precomputes from the healthy servers
 */
final class Membership<S> {

  private static final VarHandle SNAPSHOT;

  static {
    try {
      SNAPSHOT = MethodHandles.lookup().findVarHandle(Membership.class, "snapshot", Snapshot.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Computes an algorithm's state from its servers and, if any, the state it replaces. */
  @FunctionalInterface
  interface Derivation<S> {
    S derive(Server[] servers, @Nullable S predecessor);
  }

  /** One immutable state: all servers, the healthy ones, and the derived state. */
  static final class Snapshot<S> {
    final List<Server> all;
    final Server[] healthy; // the servers to pick among: all of them when health is ignored
    final int[] weights; // of the healthy servers, as derived saw them
    final S derived;
    final long epoch;

    Snapshot(List<Server> all, Server[] healthy, int[] weights, S derived, long epoch) {
      this.all = all;
      this.healthy = healthy;
      this.weights = weights;
      this.derived = derived;
      this.epoch = epoch;
    }
  }

  private final Derivation<S> derive;
  private final boolean ignoreHealth;

  @SuppressWarnings("FieldMayBeFinal") // written through SNAPSHOT
  private volatile Snapshot<S> snapshot;

  /**
   * @param derive computes the algorithm's state from the healthy servers, in list order; called on
   *     every change, never per pick
   */
  Membership(List<Server> servers, Function<Server[], S> derive) {
    this(servers, derive, false);
  }

  /**
   * @param ignoreHealth whether to count every server as healthy (for the facade's panic picker)
   */
  Membership(List<Server> servers, Function<Server[], S> derive, boolean ignoreHealth) {
    this(servers, (healthy, predecessor) -> derive.apply(healthy), ignoreHealth);
  }

  /**
   * @param derive computes the algorithm's state from the servers and the state of the snapshot
   *     being replaced (null for the first): for a state with a history, which is changed rather
   *     than rebuilt. It must not modify the predecessor: the new snapshot may lose its race.
   * @param ignoreHealth whether to count every server as healthy
   */
  Membership(List<Server> servers, Derivation<S> derive, boolean ignoreHealth) {
    this.derive = derive;
    this.ignoreHealth = ignoreHealth;
    this.snapshot = build(validated(servers), StateEpoch.current(), null, false);
  }

  /** Returns the current snapshot, rebuilding it first if a server's health changed. */
  Snapshot<S> current() {
    // Read the epoch before the snapshot: if it still matches, no health change happened after
    // the snapshot's health flags were read (see StateEpoch).
    long epoch = StateEpoch.current();
    Snapshot<S> s = snapshot;
    return s.epoch == epoch ? s : refresh(s, epoch);
  }

  /** Replaces the servers; see {@link ServerPicker#setServers}. */
  void replace(List<Server> servers) {
    List<Server> all = validated(servers);
    while (true) {
      Snapshot<S> old = snapshot;
      if (SNAPSHOT.compareAndSet(this, old, build(all, StateEpoch.current(), old, false))) {
        return;
      }
    }
  }

  private Snapshot<S> refresh(Snapshot<S> stale, long epoch) {
    Snapshot<S> expected = stale;
    long at = epoch;
    while (true) {
      Snapshot<S> fresh = build(expected.all, at, expected, true);
      if (SNAPSHOT.compareAndSet(this, expected, fresh)) {
        return fresh;
      }
      // Another thread installed a snapshot: a membership change or a concurrent refresh.
      expected = snapshot;
      at = StateEpoch.current();
      if (expected.epoch == at) {
        return expected;
      }
    }
  }

  /**
   * Builds the snapshot of {@code all} at {@code epoch} to replace {@code previous}. With {@code
   * reuse}, it keeps {@code previous}'s derived state when its healthy servers and their weights
   * are still the same: a health or weight change of a server this membership does not hold (the
   * epoch is process-wide) then costs a scan, not a rebuild of a schedule or a table.
   */
  private Snapshot<S> build(
      List<Server> all, long epoch, @Nullable Snapshot<S> previous, boolean reuse) {
    int healthyCount = 0;
    Server[] healthy = new Server[all.size()];
    for (Server server : all) {
      if (ignoreHealth || server.isHealthy()) {
        healthy[healthyCount++] = server;
      }
    }
    if (healthyCount < healthy.length) {
      Server[] trimmed = new Server[healthyCount];
      System.arraycopy(healthy, 0, trimmed, 0, healthyCount);
      healthy = trimmed;
    }
    int[] weights = new int[healthy.length];
    for (int i = 0; i < healthy.length; i++) {
      weights[i] = healthy[i].weight();
    }
    if (previous == null) {
      return new Snapshot<>(all, healthy, weights, derive.derive(healthy, null), epoch);
    }
    if (reuse
        && Arrays.equals(previous.healthy, healthy)
        && Arrays.equals(previous.weights, weights)) {
      return new Snapshot<>(all, previous.healthy, weights, previous.derived, epoch);
    }
    return new Snapshot<>(all, healthy, weights, derive.derive(healthy, previous.derived), epoch);
  }

  /** Copies {@code servers}, rejecting null and duplicate ids. */
  static List<Server> validated(List<Server> servers) {
    Objects.requireNonNull(servers, "servers");
    List<Server> copy = new ArrayList<>(servers.size());
    Set<Server> seen = new HashSet<>();
    int index = 0;
    for (Server server : servers) {
      if (server == null) {
        throw new NullPointerException("servers[" + index + "]");
      }
      if (!seen.add(server)) {
        throw new IllegalArgumentException(
            "servers: " + servers + " (expected: distinct ids; " + server.id() + " appears twice)");
      }
      copy.add(server);
      index++;
    }
    return List.copyOf(copy);
  }
}
