package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The facade against a model of admission. A server is admissible when it is a member, healthy, not
 * draining, under its concurrency cap and holds a rate-limit token; the model tracks all of that
 * exactly (fake time moves in whole refill intervals, so the token count is an integer). For every
 * algorithm, with and without IP stickiness and key affinity, and any sequence of routes, leases,
 * closes, health flips, time steps and drains: a route or lease is empty exactly when the model has
 * no admissible server, and otherwise goes to one the model admits.
 */
class FacadeAdmissionProperties {

  /** Tokens come back one every 100 ms: the rate is 10 a second. */
  private static final Duration INTERVAL = Duration.ofMillis(100);

  enum Kind {
    ROUTE,
    ACQUIRE,
    CLOSE,
    FLIP,
    ADVANCE,
    DRAIN
  }

  record Op(Kind kind, int arg) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Kind> kind =
        Arbitraries.frequency(
            Tuple.of(30, Kind.ROUTE),
            Tuple.of(25, Kind.ACQUIRE),
            Tuple.of(20, Kind.CLOSE),
            Tuple.of(12, Kind.FLIP),
            Tuple.of(10, Kind.ADVANCE),
            Tuple.of(3, Kind.DRAIN));
    return Combinators.combine(kind, Arbitraries.integers().between(0, 1_000))
        .as(Op::new)
        .list()
        .ofMaxSize(120);
  }

  @Property(tries = 400)
  void routesExactlyToAdmissibleServers(
      @ForAll Algorithm algorithm,
      @ForAll @IntRange(min = 1, max = 5) int serverCount,
      @ForAll @IntRange(min = 1, max = 3) int cap,
      @ForAll @IntRange(min = 1, max = 4) int burst,
      @ForAll boolean sticky,
      @ForAll boolean keyAffinity,
      @ForAll long seed,
      @ForAll("ops") List<Op> ops) {
    FakeTicker ticker = new FakeTicker(seed);
    List<Server> servers = FacadeFixtures.servers(serverCount);
    LoadBalancer.Builder builder =
        FacadeFixtures.algorithm(LoadBalancer.builder(servers), algorithm)
            .random(RandomSources.seeded(seed))
            .sticky(sticky)
            .maxConcurrent(cap)
            .rateLimit(1e9 / INTERVAL.toNanos(), burst)
            .ticker(ticker);
    if (keyAffinity && !sticky) { // build() rejects both together: they would fight over pins
      builder.affinity(
          new SessionAffinity(
              SessionAffinity.Method.KEY, Duration.ofSeconds(1), 1_000, "c", ticker));
    }
    LoadBalancer lb = builder.build();

    Map<Server, Integer> tokens = new HashMap<>();
    servers.forEach(s -> tokens.put(s, burst));
    Set<Server> members = new HashSet<>(servers);
    Map<Server, CompletableFuture<Void>> draining = new HashMap<>();
    List<Lease> open = new ArrayList<>();

    for (Op op : ops) {
      int arg = op.arg();
      Server target = servers.get(arg % serverCount);
      switch (op.kind()) {
        case ROUTE:
        case ACQUIRE:
          {
            Request request = request(arg);
            Set<Server> admissible =
                members.stream()
                    .filter(s -> s.isHealthy() && !draining.containsKey(s))
                    .filter(s -> s.activeConnections() < cap && tokens.get(s) > 0)
                    .collect(Collectors.toSet());
            Optional<Server> chosen;
            if (op.kind() == Kind.ROUTE) {
              chosen = lb.route(request);
            } else {
              Optional<Lease> lease = lb.tryAcquire(request);
              lease.ifPresent(open::add);
              chosen = lease.map(Lease::server);
            }
            assertThat(chosen.isPresent())
                .as("%s %s with admissible %s", op.kind(), request, admissible)
                .isEqualTo(!admissible.isEmpty());
            chosen.ifPresent(
                s -> {
                  assertThat(admissible).as("%s %s", op.kind(), request).contains(s);
                  tokens.merge(s, -1, Integer::sum);
                });
            break;
          }
        case CLOSE:
          if (!open.isEmpty()) {
            Lease lease = open.remove(arg % open.size());
            lease.close();
            CompletableFuture<Void> drained = draining.get(lease.server());
            if (drained != null && lease.server().activeConnections() == 0) {
              assertThat(drained).isCompleted();
              members.remove(lease.server());
            }
          }
          break;
        case FLIP:
          target.setHealthy(!target.isHealthy());
          break;
        case ADVANCE:
          int steps = 1 + arg % 12;
          ticker.advance(INTERVAL.multipliedBy(steps));
          tokens.replaceAll((s, t) -> Math.min(burst, t + steps));
          break;
        case DRAIN:
          if (members.contains(target)) {
            CompletableFuture<Void> drained = lb.drain(target);
            draining.put(target, drained);
            if (target.activeConnections() == 0) {
              assertThat(drained).isCompleted();
              members.remove(target);
            } else {
              assertThat(drained).isNotDone();
            }
          }
          break;
      }
      assertThat(new HashSet<>(lb.servers())).isEqualTo(members);
      for (Server s : servers) {
        long held = open.stream().filter(l -> l.server().equals(s)).count();
        assertThat(s.activeConnections()).as("%s", s).isEqualTo(held).isLessThanOrEqualTo(cap);
      }
    }
    open.forEach(Lease::close);
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    assertThat(lb.servers()).noneMatch(draining::containsKey);
  }

  /** A mix of requests: keyed, from a client IP, both, and bare. */
  private static Request request(int arg) {
    Request.Builder b = Request.builder().path("/" + arg);
    if (arg % 4 == 0 || arg % 4 == 1) {
      b.key("k" + arg % 7);
    }
    if (arg % 4 == 1 || arg % 4 == 2) {
      b.clientIp("203.0.113." + arg % 5);
    }
    return b.build();
  }
}
