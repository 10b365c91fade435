package dev.lbkit.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The servers of one standalone picker, the healthy subset of them, and what the algorithm derives
 * from that subset, as one immutable {@link Snapshot} behind a volatile field.
 *
 * <p>The membership {@linkplain Server#watch watches} its servers: a health or weight change of one
 * of them rebuilds the snapshot on the thread that made the change, before that change returns. So
 * {@link #current()} is one volatile read, a pick never rebuilds anything, and a change of a server
 * this membership does not hold costs it nothing. Writers (changes of servers, health, weight)
 * serialize on one lock that readers never take.
 *
 * @param <S> what the algorithm precomputes from the healthy servers
 */
final class Membership<S> implements ServerWatcher {

  /** Computes an algorithm's state from its servers and, if any, the state it replaces. */
  @FunctionalInterface
  interface Derivation<S> {
    S derive(Server[] servers, @Nullable S predecessor);
  }

  /** One immutable state: all servers, the healthy ones, and the derived state. */
  static final class Snapshot<S> {
    final List<Server> all;
    final Server[] healthy;
    final int[] weights; // of the healthy servers, as derive saw them
    final S derived;

    Snapshot(List<Server> all, Server[] healthy, int[] weights, S derived) {
      this.all = all;
      this.healthy = healthy;
      this.weights = weights;
      this.derived = derived;
    }
  }

  private final Derivation<S> derive;
  private final Object writeLock = new Object();
  private volatile Snapshot<S> snapshot;

  /**
   * @param derive computes the algorithm's state from the healthy servers, in list order; called on
   *     every change, never per pick
   */
  Membership(List<Server> servers, Function<Server[], S> derive) {
    this(servers, (healthy, predecessor) -> derive.apply(healthy));
  }

  /**
   * @param derive computes the algorithm's state from the healthy servers and the state of the
   *     snapshot being replaced (null for the first): for a state with a history, which is changed
   *     rather than rebuilt. It must not modify the predecessor.
   */
  Membership(List<Server> servers, Derivation<S> derive) {
    this.derive = derive;
    List<Server> all = validated(servers);
    synchronized (writeLock) {
      all.forEach(s -> s.watch(this)); // before reading health: no change can slip between
      this.snapshot = build(all, null);
    }
  }

  /** Returns the current snapshot: one volatile read. */
  Snapshot<S> current() {
    return snapshot;
  }

  /** Replaces the servers; see {@link ServerPicker#setServers}. */
  void replace(List<Server> servers) {
    List<Server> all = validated(servers);
    synchronized (writeLock) {
      Snapshot<S> old = snapshot;
      Set<Server> kept = identitySet(all);
      all.forEach(s -> s.watch(this));
      snapshot = build(all, old);
      for (Server s : old.all) {
        if (!kept.contains(s)) {
          s.unwatch(this);
        }
      }
    }
  }

  @Override
  public void serverChanged(Server server) {
    synchronized (writeLock) {
      Snapshot<S> old = snapshot;
      Snapshot<S> next = build(old.all, old);
      if (next != old) {
        snapshot = next;
      }
    }
  }

  /**
   * Builds the snapshot of {@code all} to replace {@code previous}, or returns {@code previous}
   * when its healthy servers and their weights are still the same list (a change that does not move
   * anything, such as a server flipping twice).
   */
  private Snapshot<S> build(List<Server> all, @Nullable Snapshot<S> previous) {
    int healthyCount = 0;
    Server[] healthy = new Server[all.size()];
    for (Server server : all) {
      if (server.isHealthy()) {
        healthy[healthyCount++] = server;
      }
    }
    if (healthyCount < healthy.length) {
      healthy = Arrays.copyOf(healthy, healthyCount);
    }
    int[] weights = new int[healthy.length];
    for (int i = 0; i < healthy.length; i++) {
      weights[i] = healthy[i].weight();
    }
    if (previous == null) {
      return new Snapshot<>(all, healthy, weights, derive.derive(healthy, null));
    }
    if (previous.all == all
        && Arrays.equals(previous.healthy, healthy)
        && Arrays.equals(previous.weights, weights)) {
      return previous;
    }
    return new Snapshot<>(all, healthy, weights, derive.derive(healthy, previous.derived));
  }

  private static Set<Server> identitySet(List<Server> servers) {
    Set<Server> set = Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(servers);
    return set;
  }

  /**
   * Copies {@code servers}, rejecting null and duplicate ids. Messages name the offending index or
   * id, never the whole list (which may hold 10^5 servers).
   */
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
            "servers["
                + index
                + "]: "
                + server.id()
                + " (expected: distinct ids; "
                + server.id()
                + " appears twice)");
      }
      copy.add(server);
      index++;
    }
    return List.copyOf(copy);
  }
}
