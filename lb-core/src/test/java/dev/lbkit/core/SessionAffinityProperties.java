package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.SessionAffinity.Method;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The pin table against a model: whatever the sequence of pins, lookups, unpins and time steps, the
 * table never holds more than maxEntries pins, never returns a server the key was not last pinned
 * to, never returns an expired pin, and, while it has room for every key, forgets nothing live.
 */
class SessionAffinityProperties {

  private static final long TTL = 100;

  /** One operation on key {@code key}; {@code step} is the time advanced before it. */
  record Op(Kind kind, int key, int server, long step) {}

  enum Kind {
    PIN,
    GET,
    UNPIN
  }

  /** A pin's model: the server and the last time it was pinned or returned. */
  record Pinned(Server server, long lastUse) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Kind> kind = Arbitraries.of(Kind.PIN, Kind.PIN, Kind.GET, Kind.GET, Kind.UNPIN);
    Arbitrary<Integer> key = Arbitraries.integers().between(0, 11);
    Arbitrary<Integer> server = Arbitraries.integers().between(0, 2);
    // Mostly small steps, now and then one past the ttl.
    Arbitrary<Long> step =
        Arbitraries.integers()
            .between(0, 8)
            .flatMap(
                r ->
                    r == 0
                        ? Arbitraries.longs().between(TTL - 1, 2 * TTL)
                        : Arbitraries.longs().between(0, 20));
    return Combinators.combine(kind, key, server, step).as(Op::new).list().ofMaxSize(300);
  }

  @Property(tries = 500)
  void theTableStaysBoundedAndNeverReturnsAStaleOrWrongPin(
      @ForAll @IntRange(min = 1, max = 8) int maxEntries,
      @ForAll @IntRange(min = 1, max = 12) int keyCount,
      @ForAll long start,
      @ForAll("ops") List<Op> ops) {
    FakeTicker ticker = new FakeTicker(start);
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofNanos(TTL), maxEntries, "c", ticker);
    List<Server> servers =
        List.of(new Server("10.9.0.1", 80), new Server("10.9.0.2", 80), new Server("10.9.0.3", 80));
    Map<String, Pinned> model = new HashMap<>();
    for (Op op : ops) {
      ticker.advanceNanos(op.step());
      long now = ticker.read();
      String k = "key-" + (op.key() % keyCount);
      Request request = Request.builder().key(k).build();
      switch (op.kind()) {
        case PIN:
          affinity.pin(request, servers.get(op.server()));
          model.put(k, new Pinned(servers.get(op.server()), now));
          break;
        case UNPIN:
          affinity.unpin(request);
          model.remove(k);
          break;
        case GET:
          Optional<Server> found = affinity.getServer(request);
          Pinned expected = model.get(k);
          boolean live = expected != null && now - expected.lastUse() < TTL;
          if (found.isPresent()) {
            assertThat(live).as("returned a pin that is absent or expired").isTrue();
            assertThat(found.get()).isSameAs(expected.server());
            model.put(k, new Pinned(expected.server(), now));
          } else {
            if (keyCount <= maxEntries) {
              assertThat(live).as("lost a live pin with room for every key").isFalse();
            }
            model.remove(k); // evicted or expired: gone for good
          }
          break;
      }
      assertThat(affinity.size()).isBetween(0, maxEntries);
      assertThat(affinity.storedKeys()).hasSize(affinity.size());
    }
  }
}
