package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.PlacementType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Race: eight threads on one balancer, six routing and leasing every way the API allows (route,
 * acquire, tryAcquire, a waiting acquire, execute with failing calls) and two changing everything
 * else at once (add, remove, setServers, drain, eject, uneject, health, weight). During the run no
 * pick may return a server that was out before the pick started and stayed out until it returned
 * (removed or draining, unhealthy, ejected), no lease may take a server past its cap, and no stats
 * total may go down. After quiescence every count is exact: no connection is left open, every drain
 * has completed, the totals match what the threads saw, and the routing table is the one a fresh
 * build would give.
 */
class FacadeChurnHammerTest {

  private static final int POOL = 8;
  private static final int INITIAL = 6;
  private static final int CAP = 2;
  private static final int WORKERS = 6;
  private static final int WORKER_OPS = 1_500;
  private static final int CHAOS_OPS = 400;
  private static final Duration JOIN_BOUND = Duration.ofSeconds(30);

  /** One balancer configuration and the requests that exercise its routing paths. */
  record Config(String name, UnaryOperator<LoadBalancer.Builder> setup, RequestKind requests) {
    @Override
    public String toString() {
      return name;
    }
  }

  enum RequestKind {
    PLAIN,
    KEYED,
    STICKY
  }

  static Stream<Config> configs() {
    return Stream.of(
        new Config("round robin", b -> b, RequestKind.PLAIN),
        new Config("weighted", b -> b.algorithm(Algorithm.WEIGHTED_ROUND_ROBIN), RequestKind.PLAIN),
        new Config(
            "least connections", b -> b.algorithm(Algorithm.LEAST_CONNECTIONS), RequestKind.PLAIN),
        new Config("least loaded", b -> b.algorithm(Algorithm.LEAST_LOADED), RequestKind.PLAIN),
        new Config(
            "power of two", b -> b.algorithm(Algorithm.POWER_OF_TWO_CHOICES), RequestKind.PLAIN),
        new Config("peak ewma", b -> b.algorithm(Algorithm.PEAK_EWMA), RequestKind.PLAIN),
        new Config("sticky", b -> b.sticky(true), RequestKind.STICKY),
        new Config(
            "session affinity, least connections",
            b ->
                b.algorithm(Algorithm.LEAST_CONNECTIONS)
                    .affinity(
                        new SessionAffinity(SessionAffinity.Method.KEY, Duration.ofMinutes(5))),
            RequestKind.KEYED),
        new Config(
            "rate limited, random",
            b -> b.algorithm(Algorithm.RANDOM).rateLimit(1e6, 1_000),
            RequestKind.PLAIN),
        new Config(
            "ring, bounded",
            b -> b.algorithm(Algorithm.CONSISTENT_HASH).balanceFactor(1.25),
            RequestKind.KEYED),
        new Config(
            "maglev",
            b -> b.algorithm(Algorithm.CONSISTENT_HASH).placement(PlacementType.MAGLEV),
            RequestKind.KEYED),
        new Config(
            "rendezvous, bounded",
            b ->
                b.algorithm(Algorithm.CONSISTENT_HASH)
                    .placement(PlacementType.RENDEZVOUS)
                    .balanceFactor(1.5),
            RequestKind.KEYED),
        new Config(
            "memento",
            b -> b.algorithm(Algorithm.CONSISTENT_HASH).placement(PlacementType.MEMENTO),
            RequestKind.KEYED));
  }

  /**
   * Per server, a count whose odd values mean "out": each count is moved to odd only after the
   * change that took the server out returned, and back to even before the change that may bring it
   * back starts. A pick that reads the same odd value before and after must not return the server.
   */
  private static final class Epochs {
    final AtomicLongArray down = new AtomicLongArray(POOL); // setHealthy(false)
    final AtomicLongArray out = new AtomicLongArray(POOL); // removed or draining
    final AtomicLongArray ejected = new AtomicLongArray(POOL);

    static void markOut(AtomicLongArray a, int i) {
      if (a.get(i) % 2 == 0) {
        a.incrementAndGet(i);
      }
    }

    static void markMaybeIn(AtomicLongArray a, int i) {
      if (a.get(i) % 2 != 0) {
        a.incrementAndGet(i);
      }
    }

    long[] read(int i) {
      return new long[] {down.get(i), out.get(i), ejected.get(i)};
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void everyInvariantHoldsUnderChurnAndEveryCountIsExactAfterwards(Config config) throws Exception {
    List<Server> pool = new ArrayList<>();
    Map<Server, Integer> index = new HashMap<>();
    for (int i = 0; i < POOL; i++) {
      Server s = new Server("10.77.0." + (i + 1), 8080);
      pool.add(s);
      index.put(s, i);
    }
    LoadBalancer lb =
        config
            .setup()
            .apply(
                LoadBalancer.builder(pool.subList(0, INITIAL))
                    .maxConcurrent(CAP)
                    .maxEjectionPercent(50)
                    .retryBudget(RetryBudget.create(1.0, 1_000, Ticker.system())))
            .build();
    Epochs epochs = new Epochs();
    for (int i = INITIAL; i < POOL; i++) {
      epochs.out.set(i, 1); // not members yet
    }
    Object membershipLock = new Object(); // test side only: keeps the epochs in step with changes
    List<CompletableFuture<Void>> drains = Collections.synchronizedList(new ArrayList<>());
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicLong leasesClosed = new AtomicLong();
    AtomicLong leasesFailed = new AtomicLong();
    AtomicLong rejections = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();

    for (int w = 0; w < WORKERS; w++) {
      int seed = w;
      threads.add(
          thread(
              "worker " + w,
              violations,
              start,
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                ArrayDeque<Lease> held = new ArrayDeque<>();
                long[] last = new long[4];
                for (int op = 0; op < WORKER_OPS; op++) {
                  Request request = request(config.requests(), lb, pool, random);
                  long[][] before = new long[POOL][];
                  for (int i = 0; i < POOL; i++) {
                    before[i] = epochs.read(i);
                  }
                  int kind = random.nextInt(12);
                  if (kind < 4) {
                    Optional<Server> s = lb.route(request);
                    if (s.isPresent()) {
                      check("route", s.get(), before, epochs, index, violations);
                    } else {
                      rejections.incrementAndGet();
                    }
                  } else if (kind < 6 || kind == 6 && held.size() < 3) {
                    Lease lease = null;
                    try {
                      if (kind == 4) {
                        lease = lb.acquire(request);
                      } else if (kind == 5) {
                        lease = lb.tryAcquire(request).orElse(null);
                        if (lease == null) {
                          rejections.incrementAndGet();
                        }
                      } else {
                        lease = lb.acquire(request, Duration.ofMillis(1));
                      }
                    } catch (NoServerAvailableException e) {
                      rejections.incrementAndGet();
                    }
                    if (lease != null) {
                      check("lease", lease.server(), before, epochs, index, violations);
                      int active = lease.server().activeConnections();
                      if (active > CAP) {
                        violations.add(lease.server() + " holds " + active + " > cap " + CAP);
                      }
                      if (random.nextInt(4) == 0) {
                        lease.fail(new IOException("boom"));
                        leasesFailed.incrementAndGet();
                      }
                      held.addLast(lease);
                    }
                  } else if (kind < 9) {
                    try {
                      String unused =
                          lb.execute(
                              request,
                              server -> {
                                check("execute", server, before, epochs, index, violations);
                                leasesClosed.incrementAndGet();
                                if (random.nextInt(3) == 0) {
                                  leasesFailed.incrementAndGet();
                                  throw new IOException("down");
                                }
                                return server.id();
                              });
                    } catch (NoServerAvailableException e) {
                      rejections.incrementAndGet();
                    } catch (FailoverException e) {
                      // every attempt failed: counted above
                    }
                  }
                  if (!held.isEmpty() && (kind >= 9 || held.size() >= 3)) {
                    held.pollFirst().close();
                    leasesClosed.incrementAndGet();
                  }
                  if (op % 50 == 0) {
                    monotone(lb.stats(), last, violations);
                  }
                }
                while (!held.isEmpty()) {
                  held.pollFirst().close();
                  leasesClosed.incrementAndGet();
                }
              }));
    }
    for (int c = 0; c < 2; c++) {
      int chaos = c;
      threads.add(
          thread(
              "chaos " + c,
              violations,
              start,
              () -> {
                SplittableRandom random = new SplittableRandom(100 + chaos);
                long[] last = new long[4];
                for (int op = 0; op < CHAOS_OPS; op++) {
                  // health, ejection and weight of the servers this thread owns
                  int own = 2 * random.nextInt(POOL / 2) + chaos;
                  Server mine = pool.get(own);
                  switch (random.nextInt(5)) {
                    case 0 -> membership(lb, pool, random, epochs, membershipLock, drains);
                    case 1 -> {
                      if (random.nextBoolean()) {
                        mine.setHealthy(false);
                        Epochs.markOut(epochs.down, own);
                      } else {
                        Epochs.markMaybeIn(epochs.down, own);
                        mine.setHealthy(true);
                      }
                    }
                    case 2 -> {
                      synchronized (membershipLock) {
                        if (random.nextBoolean()) {
                          if (lb.eject(mine, Duration.ofHours(1))) {
                            Epochs.markOut(epochs.ejected, own);
                          }
                        } else {
                          Epochs.markMaybeIn(epochs.ejected, own);
                          lb.uneject(mine);
                        }
                      }
                    }
                    case 3 -> mine.setWeight(1 + random.nextInt(4));
                    default -> mine.reportLoad(random.nextInt(5));
                  }
                  if (op % 20 == 0) {
                    monotone(lb.stats(), last, violations);
                  }
                }
              }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(JOIN_BOUND.toMillis());
      assertThat(t.isAlive()).as(t.getName() + " still running: deadlock?").isFalse();
    }
    assertThat(violations).isEmpty();

    // Quiescence: nothing open anywhere, every drain over, every count exact.
    for (Server s : pool) {
      assertThat(s.activeConnections()).as(s + " connections").isZero();
    }
    for (CompletableFuture<Void> drain : drains) {
      assertThat(drain).isCompleted();
    }
    Stats stats = lb.stats();
    assertThat(leasesClosed.get()).as("leases granted at all").isPositive();
    assertThat(stats.totalCompleted()).isEqualTo(leasesClosed.get());
    assertThat(stats.totalErrors()).isEqualTo(leasesFailed.get());
    assertThat(stats.rejected()).isEqualTo(rejections.get());
    assertThat(stats.servers().values()).noneMatch(ServerStats::draining);
    assertThat(lb.waitingAcquires()).isZero();
    RoutingTable table = lb.tableForTest();
    assertThat(table.servers).isEqualTo(lb.servers());
    List<Server> expected = new ArrayList<>();
    for (Server s : lb.servers()) {
      if (s.isHealthy()) {
        expected.add(s);
      }
    }
    assertThat(table.candidates).containsExactlyElementsOf(expected);
    for (int i = 0; i < table.candidates.length; i++) {
      assertThat(table.weights[i]).isEqualTo(table.candidates[i].weight());
    }

    // And the balancer still routes every healthy member that is not ejected, only those.
    for (Server s : pool) {
      s.setHealthy(true);
      lb.uneject(s);
    }
    lb.setServers(pool);
    for (int i = 0; i < 200; i++) {
      try (Lease lease =
          lb.acquire(request(config.requests(), lb, pool, new SplittableRandom(i)))) {
        assertThat(pool).contains(lease.server());
      }
    }
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);
  }

  /** One membership change, under the test's lock so that the epochs follow it exactly. */
  private static void membership(
      LoadBalancer lb,
      List<Server> pool,
      SplittableRandom random,
      Epochs epochs,
      Object lock,
      List<CompletableFuture<Void>> drains) {
    synchronized (lock) {
      int i = random.nextInt(POOL);
      Server s = pool.get(i);
      switch (random.nextInt(4)) {
        case 0 -> {
          Epochs.markMaybeIn(epochs.out, i);
          markMaybeInAgain(epochs, i);
          try {
            lb.addServer(s);
          } catch (IllegalStateException draining) {
            // a draining server cannot be added: it stays out
          }
        }
        case 1 -> {
          lb.removeServer(s);
          Epochs.markOut(epochs.out, i);
        }
        case 2 -> {
          drains.add(lb.drain(s));
          Epochs.markOut(epochs.out, i);
        }
        default -> {
          List<Server> next = new ArrayList<>();
          for (Server candidate : pool) {
            if (random.nextInt(4) != 0) {
              next.add(candidate);
            }
          }
          Collections.shuffle(next, new java.util.Random(random.nextLong()));
          for (Server joining : next) {
            int j = pool.indexOf(joining);
            Epochs.markMaybeIn(epochs.out, j);
            markMaybeInAgain(epochs, j);
          }
          lb.setServers(next);
          for (int j = 0; j < POOL; j++) {
            if (!next.contains(pool.get(j))) {
              Epochs.markOut(epochs.out, j);
            }
          }
        }
      }
    }
  }

  /** A server that joins again has a new backend: its ejection, kept per backend, is gone. */
  private static void markMaybeInAgain(Epochs epochs, int i) {
    Epochs.markMaybeIn(epochs.ejected, i);
  }

  private static Request request(
      RequestKind kind, LoadBalancer lb, List<Server> pool, SplittableRandom random) {
    switch (kind) {
      case KEYED:
        return random.nextInt(8) == 0
            ? Request.empty()
            : Request.builder().key("job-" + random.nextInt(64)).build();
      case STICKY:
        int r = random.nextInt(3);
        if (r == 0) {
          return Request.builder()
              .cookie(
                  lb.affinityCookieName(), lb.affinityCookieValue(pool.get(random.nextInt(POOL))))
              .build();
        }
        return r == 1
            ? Request.builder().clientIp("192.168.0." + random.nextInt(32)).build()
            : Request.empty();
      default:
        return Request.empty();
    }
  }

  private static void check(
      String how,
      Server s,
      long[][] before,
      Epochs epochs,
      Map<Server, Integer> index,
      ConcurrentLinkedQueue<String> violations) {
    Integer i = index.get(s);
    if (i == null) {
      violations.add(how + " returned a foreign server " + s);
      return;
    }
    long[] after = epochs.read(i);
    String[] what = {"unhealthy", "removed or draining", "ejected"};
    for (int k = 0; k < 3; k++) {
      if (before[i][k] == after[k] && after[k] % 2 != 0) {
        violations.add(how + " returned " + s + ", " + what[k] + " all along");
      }
    }
  }

  private static void monotone(Stats stats, long[] last, ConcurrentLinkedQueue<String> violations) {
    long[] now = {
      stats.totalRequests(), stats.totalCompleted(), stats.totalErrors(), stats.rejected()
    };
    for (int k = 0; k < now.length; k++) {
      if (now[k] < last[k]) {
        violations.add("stats total " + k + " went down: " + last[k] + " -> " + now[k]);
      }
      last[k] = now[k];
    }
  }

  @FunctionalInterface
  private interface Body {
    void run() throws Exception;
  }

  private static Thread thread(
      String name, ConcurrentLinkedQueue<String> violations, CountDownLatch start, Body body) {
    Thread t =
        new Thread(
            () -> {
              try {
                start.await();
                body.run();
              } catch (Throwable e) {
                violations.add(name + " threw " + e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
