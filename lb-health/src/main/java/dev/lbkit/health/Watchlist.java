package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The servers a {@link HealthChecker} knows and where the watched ones come from: balancers and
 * collections, re-read at every {@link #sync}. Every server ever checked has a {@link Target} (so
 * {@code check()} works on unwatched servers too); the watched ones are those the sources returned
 * at the last sync. Thread-safe; syncs may overlap (each add and remove is reported once).
 */
final class Watchlist {

  private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());

  private final Map<Server, Target> targets = new ConcurrentHashMap<>();
  private final List<Supplier<? extends Collection<Server>>> sources = new CopyOnWriteArrayList<>();
  private final Set<Server> watched = ConcurrentHashMap.newKeySet();

  void add(Supplier<? extends Collection<Server>> source) {
    sources.add(source);
  }

  /** Returns the target of {@code server}, made on first use. */
  Target target(Server server) {
    return targets.computeIfAbsent(server, Target::new);
  }

  /** Returns the target of {@code server} if it has one. */
  @Nullable Target find(Server server) {
    return targets.get(server);
  }

  /** Returns whether {@code target} is still the one of a watched server. */
  boolean isWatched(Target target) {
    return watched.contains(target.server) && targets.get(target.server) == target;
  }

  Set<Server> watched() {
    return Set.copyOf(watched);
  }

  /**
   * Re-reads the sources (a source that throws is logged and skipped this time), calls {@code
   * added} with the target of each server that appeared, and drops the servers that left (their
   * next rounds cancelled, their state forgotten).
   */
  void sync(Consumer<Target> added) {
    Set<Server> now = new HashSet<>();
    for (Supplier<? extends Collection<Server>> source : sources) {
      try {
        now.addAll(source.get());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a watched server source threw; it is skipped this round", e);
      }
    }
    for (Server server : now) {
      if (watched.add(server)) {
        added.accept(target(server));
      }
    }
    for (Server server : List.copyOf(watched)) {
      if (!now.contains(server) && watched.remove(server)) {
        Target target = targets.remove(server);
        if (target != null) {
          target.cancelNext();
        }
      }
    }
  }

  /** Forgets which servers are watched and cancels every next round; states are kept. */
  void clear() {
    watched.clear();
    targets.values().forEach(Target::cancelNext);
  }
}
