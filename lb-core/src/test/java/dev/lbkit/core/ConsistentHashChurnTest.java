package dev.lbkit.core;

import static dev.lbkit.core.Racers.thread;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.Placement;
import dev.lbkit.hashing.PlacementType;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Race: the facade changes its consistent-hash placement (and the sticky client-IP ring) one server
 * at a time, on whichever thread joins, leaves, drains, re-weighs or flips a server, while other
 * threads look keys up in it. Once the churn stops, the placement must be exactly the one a fresh
 * build over the members and their weights gives, health skipped in probe order: the ring, Maglev
 * and rendezvous depend on nothing else. Memento depends on the order of changes too, so for it
 * only membership and health are checked.
 */
class ConsistentHashChurnTest {

  private static final int POOL = 10;
  private static final int KEYS = 400;
  private static final Duration JOIN_BOUND = Duration.ofSeconds(30);

  static Stream<Arguments> placements() {
    return Stream.of(
        Arguments.of(PlacementType.RING, 0.0),
        Arguments.of(PlacementType.RING, 1.25),
        Arguments.of(PlacementType.MAGLEV, 0.0),
        Arguments.of(PlacementType.RENDEZVOUS, 0.0),
        Arguments.of(PlacementType.RENDEZVOUS, 2.0),
        Arguments.of(PlacementType.MEMENTO, 0.0),
        Arguments.of(PlacementType.MEMENTO, 1.5));
  }

  @ParameterizedTest(name = "{0}, balance factor {1}")
  @MethodSource("placements")
  void thePlacementAfterChurnIsTheFreshOneOverTheMembers(PlacementType type, double factor)
      throws Exception {
    List<Server> pool = pool("10.88.0.");
    LoadBalancer.Builder builder =
        LoadBalancer.builder(pool.subList(0, 6))
            .algorithm(Algorithm.CONSISTENT_HASH)
            .placement(type)
            .maxConcurrent(3);
    if (factor > 0) {
      builder.balanceFactor(factor);
    }
    LoadBalancer lb = builder.build();
    churn(lb, pool, i -> Request.builder().key("key-" + i).build());

    List<Server> members = quiescentMembers(lb);
    assertMatchesFresh(lb, type, members);
    members.forEach(s -> s.setHealthy(true));
    assertMatchesFresh(lb, type, members);
  }

  private static void assertMatchesFresh(
      LoadBalancer lb, PlacementType type, List<Server> members) {
    for (int k = 0; k < KEYS; k++) {
      Request request = Request.builder().key("key-" + k).build();
      Optional<Server> routed = lb.route(request);
      if (members.stream().noneMatch(Server::isHealthy)) {
        assertThat(routed).isEmpty();
        continue;
      }
      assertThat(routed).isPresent();
      assertThat(routed.get().isHealthy()).isTrue();
      assertThat(members).contains(routed.get());
      if (type != PlacementType.MEMENTO) {
        Placement<Server> fresh = type.create(members, PlacementPicker::weightOf);
        assertThat(routed.get().id())
            .as("key-%s", k)
            .isEqualTo(fresh.getNode("key-" + k, Server::isHealthy).id());
      }
    }
  }

  /** The same for the client-IP ring of a sticky balancer: unweighted, health skipped in order. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void theStickyRingAfterChurnIsTheFreshOneOverTheMembers(Algorithm algorithm) throws Exception {
    List<Server> pool = pool("10.89.0.");
    LoadBalancer lb =
        LoadBalancer.builder(pool.subList(0, 6))
            .algorithm(algorithm)
            .sticky(true)
            .maxConcurrent(3)
            .build();
    churn(lb, pool, i -> Request.builder().clientIp("172.16.0." + (i % 200)).build());

    List<Server> members = quiescentMembers(lb);
    Placement<Server> fresh = PlacementType.RING.create(members, s -> 1);
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < 200; k++) {
        Optional<Server> routed = lb.route(Request.builder().clientIp("172.16.0." + k).build());
        Server expected = fresh.getNode("172.16.0." + k, Server::isHealthy);
        assertThat(routed.map(Server::id)).isEqualTo(Optional.ofNullable(expected).map(Server::id));
      }
      members.forEach(s -> s.setHealthy(true));
    }
  }

  static Stream<Algorithm> algorithms() {
    return Stream.of(Algorithm.ROUND_ROBIN, Algorithm.LEAST_CONNECTIONS, Algorithm.PEAK_EWMA);
  }

  @FunctionalInterface
  interface Requests {
    Request nth(int i);
  }

  /**
   * Three threads lease and route with {@code requests} while three change membership, health and
   * weights; returns once all have finished (bounded) and every lease is closed.
   */
  private static void churn(LoadBalancer lb, List<Server> pool, Requests requests)
      throws Exception {
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int seed = t;
      threads.add(
          thread(
              start,
              failures::add,
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                ArrayDeque<Lease> held = new ArrayDeque<>();
                for (int i = 0; i < 2_000; i++) {
                  Request request = requests.nth(random.nextInt(KEYS));
                  if (random.nextBoolean()) {
                    lb.tryAcquire(request).ifPresent(held::add);
                  } else {
                    Optional<Server> unused = lb.route(request);
                  }
                  if (held.size() > 4 || !held.isEmpty() && random.nextInt(3) == 0) {
                    held.poll().close();
                  }
                }
                held.forEach(Lease::close);
              }));
    }
    for (int t = 0; t < 3; t++) {
      int seed = 10 + t;
      threads.add(
          thread(
              start,
              failures::add,
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 200; i++) {
                  Server s = pool.get(random.nextInt(POOL));
                  switch (random.nextInt(7)) {
                    case 0 -> {
                      try {
                        lb.addServer(s);
                      } catch (IllegalStateException draining) {
                        // still draining: it leaves first
                      }
                    }
                    case 1 -> lb.removeServer(s);
                    case 2 -> {
                      var unused = lb.drain(s);
                    }
                    case 3 -> {
                      List<Server> next = new ArrayList<>(pool);
                      Collections.shuffle(next, new Random(random.nextLong()));
                      lb.setServers(next.subList(0, 3 + random.nextInt(POOL - 3)));
                    }
                    case 4 -> s.setWeight(1 + random.nextInt(5));
                    default -> s.setHealthy(random.nextInt(3) != 0);
                  }
                }
              }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(JOIN_BOUND.toMillis());
      assertThat(t.isAlive()).as("a thread is stuck: deadlock?").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);
  }

  /** The members once every drain is over; none is draining. */
  private static List<Server> quiescentMembers(LoadBalancer lb) {
    List<Server> members = lb.servers();
    assertThat(members).noneMatch(lb::isDraining);
    return members;
  }

  private static List<Server> pool(String prefix) {
    List<Server> pool = new ArrayList<>();
    for (int i = 0; i < POOL; i++) {
      pool.add(new Server(prefix + (i + 1), 8080));
    }
    return pool;
  }
}
