package dev.lbkit.services.broker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lbkit.core.LeastConnections;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.ServerPicker;
import dev.lbkit.services.broker.store.Sandbox;
import dev.lbkit.services.broker.store.SandboxStore;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Allocation as the seed designs it: the track's sandbox if it holds one (or the one its {@code
 * Idempotency-Key} got), else K random available candidates from the store, an lbkit power-of-two-
 * choices picker to choose among them, and a conditional claim; a lost claim counts a conflict and
 * the picker offers the next candidate. See the {@linkplain dev.lbkit.services.broker package
 * documentation}. Thread-safe; blocks on the store only.
 */
public final class Allocator {
  private static final Request ANY = Request.builder().build();

  /** Counts claims in flight per candidate, on each candidate's {@link Server}. */
  private static final LeastConnections IN_FLIGHT = new LeastConnections(List.of());

  private final SandboxStore store;
  private final int candidates;
  private final BrokerTime time;
  private final RandomGenerator random;
  private final BrokerMetrics metrics;
  private final AtomicLong serverIds = new AtomicLong();

  /** The Server standing for each sandbox this instance has seen as a candidate lately. */
  private final Cache<String, Server> servers = Caffeine.newBuilder().maximumSize(200_000).build();

  /** An allocation's result. */
  public record Result(Sandbox sandbox, boolean existing, int conflicts) {}

  Allocator(
      SandboxStore store,
      int candidates,
      BrokerTime time,
      RandomGenerator random,
      BrokerMetrics metrics) {
    this.store = Objects.requireNonNull(store, "store");
    this.candidates = candidates;
    this.time = time;
    this.random = random;
    this.metrics = metrics;
  }

  /**
   * Allocates a sandbox to {@code track}, or returns the one it holds (or got for {@code key}).
   *
   * @return empty when no sandbox is available
   */
  public Optional<Result> allocate(String track, @Nullable String key) throws SQLException {
    long start = time.ticker().read();
    Optional<Result> result = attempt(track, key);
    long nanos = time.ticker().read() - start;
    if (result.isEmpty()) {
      metrics.allocation("no_sandboxes", nanos);
    } else if (result.get().existing()) {
      metrics.idempotentHit();
      metrics.allocation("idempotent", nanos);
    } else {
      metrics.allocation("success", nanos);
    }
    result.ifPresent(r -> metrics.conflicts(r.conflicts()));
    return result;
  }

  private Optional<Result> attempt(String track, @Nullable String key) throws SQLException {
    if (key != null) {
      Optional<Sandbox> byKey = store.byKey(track, key);
      if (byKey.isPresent()) {
        return Optional.of(new Result(byKey.get(), true, 0));
      }
    }
    // No read of the track's sandbox first: a track asking again is rare, and its claim fails on
    // the one-allocation-per-track index (TRACK_HOLDS_ONE), which then reads it. One query saved
    // on every first allocation.
    int conflicts = 0;
    while (true) {
      List<String> ids = store.candidates(candidates);
      if (ids.isEmpty()) {
        Optional<Result> held = existing(track, key, conflicts);
        if (held.isEmpty()) {
          metrics.conflicts(conflicts);
        }
        return held;
      }
      Map<Server, String> byServer = new HashMap<>(); // Servers are equal by their unique ids
      List<Server> list = new ArrayList<>(ids.size());
      for (String id : ids) {
        Server server = servers.get(id, this::newServer);
        byServer.put(server, id);
        list.add(server);
      }
      Claimer claimer = new Claimer(track, key, byServer);
      ServerPicker picker = ServerPicker.powerOfChoices(list, Math.min(2, list.size()), random);
      Server chosen = picker.next(ANY, claimer);
      conflicts += claimer.lost;
      if (claimer.error != null) {
        throw claimer.error;
      }
      if (claimer.trackHoldsOne) {
        Optional<Result> held = existing(track, key, conflicts);
        if (held.isPresent()) {
          return held;
        }
        continue; // released meanwhile: allocate anew
      }
      if (chosen != null && claimer.won) {
        Optional<Sandbox> sandbox = store.find(Objects.requireNonNull(byServer.get(chosen)));
        if (sandbox.isPresent()) {
          return Optional.of(new Result(sandbox.get(), false, conflicts));
        }
      }
      // every candidate was taken by others: draw again
    }
  }

  private Optional<Result> existing(String track, @Nullable String key, int conflicts)
      throws SQLException {
    if (key != null) {
      Optional<Sandbox> byKey = store.byKey(track, key);
      if (byKey.isPresent()) {
        return Optional.of(new Result(byKey.get(), true, conflicts));
      }
    }
    return store.held(track).map(s -> new Result(s, true, conflicts));
  }

  private Server newServer(String sandboxId) {
    // Servers need a host and a port; the sandbox's id stays in the caller's map.
    return new Server("s" + serverIds.incrementAndGet() + ".sandbox.invalid", 1);
  }

  /** Forgets a deleted sandbox's server. */
  void forget(String sandboxId) {
    servers.invalidate(sandboxId);
  }

  /** The picker's admission: claims the offered candidate in the store. */
  private final class Claimer implements Predicate<Server> {
    private final String track;
    private final @Nullable String key;
    private final Map<Server, String> byServer;
    int lost;
    boolean won;
    boolean trackHoldsOne;
    @Nullable SQLException error;

    Claimer(String track, @Nullable String key, Map<Server, String> byServer) {
      this.track = track;
      this.key = key;
      this.byServer = byServer;
    }

    @Override
    public boolean test(Server server) {
      if (error != null || trackHoldsOne || won) {
        return true; // stop offering
      }
      String id = Objects.requireNonNull(byServer.get(server));
      IN_FLIGHT.connect(server);
      try {
        switch (store.claim(id, track, key, time.millis())) {
          case WON:
            won = true;
            return true;
          case TRACK_HOLDS_ONE:
            trackHoldsOne = true;
            return true;
          default:
            lost++;
            return false;
        }
      } catch (SQLException e) {
        error = e;
        return true;
      } finally {
        IN_FLIGHT.disconnect(server);
      }
    }
  }
}
