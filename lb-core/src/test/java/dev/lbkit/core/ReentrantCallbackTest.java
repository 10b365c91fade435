package dev.lbkit.core;

import static dev.lbkit.core.Racers.thread;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.PlacementType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Callbacks are user code that may call back into the balancer: a listener that re-adds a removed
 * server, routes from {@code onRouted}, leases from {@code onLeaseClosed}, waits from {@code
 * onRejected} or marks a server down after a failed lease, and drain continuations that add the
 * server back. Races: those callbacks, run on whichever thread finished the event (a closing lease
 * ending a drain, a membership change), against each other and against churn, and several balancers
 * sharing servers while their health, weights and memberships change. Nothing may deadlock (every
 * thread finishes within a bound), and once all is quiet the counts and the tables must be exact.
 */
class ReentrantCallbackTest {

  private static final Duration JOIN_BOUND = Duration.ofSeconds(30);

  /** Keeps callbacks from calling back without end. */
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  @Test
  void listenersAndDrainContinuationsThatCallBackNeitherDeadlockNorCorrupt() throws Exception {
    List<Server> pool = pool("10.140.0.", 8);
    LoadBalancer[] holder = new LoadBalancer[1];
    AtomicLong closedHeard = new AtomicLong();
    AtomicLong rejectedHeard = new AtomicLong();
    LoadBalancerListener reentrant =
        new LoadBalancerListener() {
          @Override
          public void onRouted(Request request, Server server) {
            nested(() -> holder[0].route(Request.builder().key("nested").build()));
          }

          @Override
          public void onRejected(Request request) {
            rejectedHeard.incrementAndGet();
            nested(
                () -> {
                  try {
                    holder[0].acquire(Request.empty(), Duration.ofMillis(1)).close();
                  } catch (NoServerAvailableException | InterruptedException e) {
                    // nothing free: fine
                  }
                });
          }

          @Override
          public void onLeaseClosed(
              Request request, Server server, long latencyNanos, @Nullable Throwable failure) {
            closedHeard.incrementAndGet();
            if (failure != null) {
              server.setHealthy(false); // passive health, on the closing thread
            }
            nested(() -> holder[0].tryAcquire(Request.empty()).ifPresent(Lease::close));
          }

          @Override
          public void onServerRemoved(Server server) {
            // re-add at once, on the removing thread (refused while it drains again)
            nested(
                () -> {
                  try {
                    holder[0].addServer(server);
                  } catch (IllegalStateException draining) {
                    // drained again meanwhile
                  }
                });
          }

          @Override
          public void onServerAdded(Server server) {
            nested(() -> holder[0].route(Request.empty()));
          }
        };
    LoadBalancer lb =
        LoadBalancer.builder(pool.subList(0, 5))
            .algorithm(Algorithm.CONSISTENT_HASH)
            .placement(PlacementType.RENDEZVOUS)
            .maxConcurrent(2)
            .listener(reentrant)
            .retryBudget(RetryBudget.create(1.0, 1_000, Ticker.system()))
            .build();
    holder[0] = lb;
    List<CompletableFuture<Void>> drains = Collections.synchronizedList(new ArrayList<>());
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int seed = t;
      threads.add(
          thread(
              start,
              failures::add,
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                ArrayDeque<Lease> held = new ArrayDeque<>();
                for (int i = 0; i < 1_500; i++) {
                  Request request = Request.builder().key("job-" + random.nextInt(50)).build();
                  switch (random.nextInt(4)) {
                    case 0 -> {
                      Optional<Server> unused = lb.route(request);
                    }
                    case 1 -> lb.tryAcquire(request).ifPresent(held::add);
                    case 2 -> {
                      try {
                        String unused =
                            lb.execute(
                                request,
                                s -> {
                                  if (random.nextInt(4) == 0) {
                                    throw new IOException("down");
                                  }
                                  return s.id();
                                });
                      } catch (NoServerAvailableException | FailoverException e) {
                        // refused or failed everywhere: fine
                      }
                    }
                    default -> {
                      if (!held.isEmpty()) {
                        Lease lease = held.poll();
                        if (random.nextInt(5) == 0) {
                          lease.fail(new IOException("reset"));
                        }
                        lease.close();
                      }
                    }
                  }
                  if (held.size() > 3) {
                    held.poll().close();
                  }
                }
                held.forEach(Lease::close);
              }));
    }
    for (int t = 0; t < 2; t++) {
      int seed = 10 + t;
      threads.add(
          thread(
              start,
              failures::add,
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 300; i++) {
                  Server s = pool.get(random.nextInt(pool.size()));
                  switch (random.nextInt(6)) {
                    case 0 -> lb.removeServer(s);
                    case 1 -> {
                      CompletableFuture<Void> drained = lb.drain(s);
                      drains.add(drained);
                      var unused =
                          drained.thenRun(
                              () -> {
                                try {
                                  lb.addServer(s);
                                } catch (IllegalStateException draining) {
                                  // drained again meanwhile
                                }
                              });
                    }
                    case 2 -> {
                      List<Server> next = new ArrayList<>(pool);
                      Collections.shuffle(next, new Random(random.nextLong()));
                      lb.setServers(next.subList(0, 2 + random.nextInt(pool.size() - 2)));
                    }
                    case 3 -> {
                      boolean unused = lb.eject(s, Duration.ofMillis(1 + random.nextInt(5)));
                    }
                    default -> s.setHealthy(true);
                  }
                }
              }));
    }
    start.countDown();
    joinAll(threads);
    assertThat(failures).isEmpty();

    for (Server s : pool) {
      assertThat(s.activeConnections()).as(s.toString()).isZero();
    }
    for (CompletableFuture<Void> drained : drains) {
      assertThat(drained).isCompleted();
    }
    Stats stats = lb.stats();
    assertThat(stats.totalCompleted()).isEqualTo(closedHeard.get());
    assertThat(stats.rejected()).isEqualTo(rejectedHeard.get());
    assertTableIsFresh(lb);
  }

  @Test
  void balancersAndPickersSharingServersDoNotDeadlockUnderChanges() throws Exception {
    List<Server> pool = pool("10.141.0.", 10);
    LoadBalancer weighted =
        LoadBalancer.builder(pool)
            .algorithm(Algorithm.WEIGHTED_ROUND_ROBIN)
            .maxConcurrent(3)
            .panicThreshold(0.5)
            .build();
    LoadBalancer ring =
        LoadBalancer.builder(pool)
            .algorithm(Algorithm.CONSISTENT_HASH)
            .balanceFactor(1.25)
            .sticky(true)
            .build();
    LoadBalancer least = LoadBalancer.builder(pool).algorithm(Algorithm.LEAST_CONNECTIONS).build();
    List<LoadBalancer> balancers = List.of(weighted, ring, least);
    ServerPicker rr = new RoundRobin(pool);
    ServerPicker hash = ServerPicker.consistentHash(pool);
    WeightedRoundRobin wrr = new WeightedRoundRobin(pool);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      LoadBalancer lb = balancers.get(t);
      int seed = t;
      threads.add(
          thread(
              start,
              failures::add,
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                ArrayDeque<Lease> held = new ArrayDeque<>();
                for (int i = 0; i < 2_000; i++) {
                  Request request =
                      Request.builder()
                          .key("k" + random.nextInt(40))
                          .clientIp("10.9.9." + random.nextInt(40))
                          .build();
                  lb.tryAcquire(request).ifPresent(held::add);
                  if (held.size() > 3 || random.nextBoolean() && !held.isEmpty()) {
                    held.poll().close();
                  }
                  Server unused = rr.next();
                  unused = hash.next(request);
                  unused = wrr.next();
                }
                held.forEach(Lease::close);
              }));
    }
    for (int t = 0; t < 3; t++) {
      int seed = 20 + t;
      threads.add(
          thread(
              start,
              failures::add,
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 300; i++) {
                  Server s = pool.get(random.nextInt(pool.size()));
                  LoadBalancer lb = balancers.get(random.nextInt(balancers.size()));
                  switch (random.nextInt(8)) {
                    case 0 -> s.setHealthy(random.nextBoolean());
                    case 1 -> s.setWeight(1 + random.nextInt(4));
                    case 2 -> {
                      // the same id, another weight: re-weighs the shared member
                      try {
                        lb.addServer(new Server(s.host(), s.port(), 1 + random.nextInt(4)));
                      } catch (IllegalStateException draining) {
                        // draining in this balancer
                      }
                    }
                    case 3 -> {
                      List<Server> next = new ArrayList<>();
                      for (Server p : pool) {
                        if (random.nextInt(4) != 0) {
                          next.add(new Server(p.host(), p.port(), 1 + random.nextInt(3)));
                        }
                      }
                      lb.setServers(next);
                    }
                    case 4 -> lb.removeServer(s);
                    case 5 -> {
                      var unused = lb.drain(s);
                    }
                    case 6 -> {
                      boolean unused = lb.eject(s, Duration.ofMillis(2));
                    }
                    default -> {
                      List<Server> next = new ArrayList<>(pool);
                      Collections.shuffle(next, new Random(random.nextLong()));
                      (random.nextBoolean() ? rr : wrr).setServers(next.subList(0, 5));
                      hash.setServers(next.subList(3, 9));
                    }
                  }
                }
              }));
    }
    start.countDown();
    joinAll(threads);
    assertThat(failures).isEmpty();

    for (Server s : pool) {
      assertThat(s.activeConnections()).as(s.toString()).isZero();
    }
    for (LoadBalancer lb : balancers) {
      assertThat(lb.servers()).noneMatch(lb::isDraining);
      assertTableIsFresh(lb);
    }
  }

  /** The table is what a fresh build over the members gives (no panic in play). */
  private static void assertTableIsFresh(LoadBalancer lb) {
    RoutingTable table = lb.tableForTest();
    assertThat(table.servers).isEqualTo(lb.servers());
    if (table.panic) {
      assertThat(table.candidates).containsExactlyElementsOf(lb.servers());
    } else {
      assertThat(table.candidates)
          .containsExactlyElementsOf(lb.servers().stream().filter(Server::isHealthy).toList());
    }
    for (int i = 0; i < table.candidates.length; i++) {
      assertThat(table.weights[i]).isEqualTo(table.candidates[i].weight());
    }
  }

  private static void nested(Runnable call) {
    int[] depth = DEPTH.get();
    if (depth[0] >= 2) {
      return;
    }
    depth[0]++;
    try {
      call.run();
    } finally {
      depth[0]--;
    }
  }

  private static List<Server> pool(String prefix, int n) {
    List<Server> pool = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pool.add(new Server(prefix + (i + 1), 8080));
    }
    return pool;
  }

  private static void joinAll(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join(JOIN_BOUND.toMillis());
      assertThat(t.isAlive()).as("a thread is stuck: deadlock?").isFalse();
    }
  }
}
