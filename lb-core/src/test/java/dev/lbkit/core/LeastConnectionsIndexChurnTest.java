package dev.lbkit.core;

import static dev.lbkit.core.Racers.thread;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Race: least connections over {@value LeastPolicy#INDEX_FROM} servers and more picks from an index
 * that every server tells of each change of its count, while leases open and close on many threads,
 * health flips rebuild the index, membership changes and a standalone picker shares the servers'
 * counts. Once the threads stop, every pick must again be exact: a server with the fewest
 * connections among the candidates.
 */
class LeastConnectionsIndexChurnTest {

  private static final int SERVERS = LeastPolicy.INDEX_FROM + 88;
  private static final int EXTRA = 16;
  private static final Duration JOIN_BOUND = Duration.ofSeconds(30);

  @Test
  void theBalancersPicksAreExactAgainOnceTheChurnStops() throws Exception {
    List<Server> pool = pool("10.120.");
    List<Server> initial = pool.subList(0, SERVERS);
    LoadBalancer lb = LoadBalancer.builder(initial).algorithm(Algorithm.LEAST_CONNECTIONS).build();
    LeastConnections shared = new LeastConnections(initial);
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
                for (int i = 0; i < 4_000; i++) {
                  if (held.size() < 40 && random.nextInt(3) != 0) {
                    lb.tryAcquire(Request.empty()).ifPresent(held::add);
                  } else if (!held.isEmpty()) {
                    (random.nextBoolean() ? held.pollFirst() : held.pollLast()).close();
                  }
                }
                held.forEach(Lease::close);
              }));
    }
    threads.add(
        thread(
            start,
            failures::add,
            () -> {
              SplittableRandom random = new SplittableRandom(7);
              ArrayDeque<Server> connected = new ArrayDeque<>();
              for (int i = 0; i < 3_000; i++) {
                Server s = shared.next();
                if (s != null && random.nextBoolean()) {
                  shared.connect(s);
                  connected.add(s);
                } else if (!connected.isEmpty()) {
                  shared.disconnect(connected.poll());
                }
              }
              connected.forEach(shared::disconnect);
            }));
    threads.add(
        thread(
            start,
            failures::add,
            () -> {
              SplittableRandom random = new SplittableRandom(8);
              for (int i = 0; i < 300; i++) {
                Server s = pool.get(random.nextInt(pool.size()));
                Server churned = pool.get(SERVERS - EXTRA + random.nextInt(2 * EXTRA));
                switch (random.nextInt(4)) {
                  case 0 -> lb.addServer(churned);
                  case 1 -> lb.removeServer(churned);
                  default -> s.setHealthy(random.nextInt(8) != 0);
                }
              }
            }));
    start.countDown();
    for (Thread t : threads) {
      t.join(JOIN_BOUND.toMillis());
      assertThat(t.isAlive()).as("a thread is stuck: deadlock?").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);

    // Quiescent: play leases, closes and health flips on one thread, checking every pick, first
    // on the index the churn left behind.
    assertThat(lb.tableForTest().candidates.length).isGreaterThanOrEqualTo(LeastPolicy.INDEX_FROM);
    SplittableRandom random = new SplittableRandom(42);
    ArrayDeque<Lease> held = new ArrayDeque<>();
    for (int i = 0; i < 3_000; i++) {
      int op = random.nextInt(10);
      if (op < 6) {
        int fewest = fewest(lb.servers());
        Lease lease = lb.acquire(Request.empty());
        assertThat(lease.server().activeConnections() - 1)
            .as("step %s: %s has more than the fewest %s", i, lease.server(), fewest)
            .isEqualTo(fewest);
        held.add(lease);
      } else if (op < 9 && !held.isEmpty()) {
        (random.nextBoolean() ? held.pollFirst() : held.pollLast()).close();
      } else {
        Server s = lb.servers().get(random.nextInt(lb.servers().size()));
        s.setHealthy(!s.isHealthy() || random.nextInt(4) != 0);
      }
      if (lb.servers().stream().noneMatch(Server::isHealthy)) {
        lb.servers().get(0).setHealthy(true);
      }
    }
    held.forEach(Lease::close);
    assertThat(lb.tableForTest().candidates.length).isGreaterThanOrEqualTo(LeastPolicy.INDEX_FROM);
  }

  @Test
  void theStandalonePickersPicksAreExactAgainOnceTheChurnStops() throws Exception {
    List<Server> pool = pool("10.121.");
    LeastConnections picker = new LeastConnections(pool.subList(0, SERVERS));
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
                ArrayDeque<Server> connected = new ArrayDeque<>();
                for (int i = 0; i < 4_000; i++) {
                  Server s = picker.next();
                  if (s != null && connected.size() < 40 && random.nextInt(3) != 0) {
                    picker.connect(s);
                    connected.add(s);
                  } else if (!connected.isEmpty()) {
                    picker.disconnect(connected.poll());
                  }
                }
                connected.forEach(picker::disconnect);
              }));
    }
    threads.add(
        thread(
            start,
            failures::add,
            () -> {
              SplittableRandom random = new SplittableRandom(9);
              for (int i = 0; i < 200; i++) {
                if (random.nextInt(5) == 0) {
                  int from = random.nextInt(EXTRA);
                  picker.setServers(pool.subList(from, from + SERVERS));
                } else {
                  pool.get(random.nextInt(pool.size())).setHealthy(random.nextInt(4) != 0);
                }
              }
            }));
    start.countDown();
    for (Thread t : threads) {
      t.join(JOIN_BOUND.toMillis());
      assertThat(t.isAlive()).as("a thread is stuck: deadlock?").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);

    SplittableRandom random = new SplittableRandom(43);
    ArrayDeque<Server> connected = new ArrayDeque<>();
    for (int i = 0; i < 3_000; i++) {
      if (random.nextInt(10) < 6) {
        int fewest = fewest(picker.servers());
        Server s = pickNonNull(picker::next);
        assertThat(s.activeConnections()).as("step %s", i).isEqualTo(fewest);
        picker.connect(s);
        connected.add(s);
      } else if (!connected.isEmpty()) {
        picker.disconnect(random.nextBoolean() ? connected.pollFirst() : connected.pollLast());
      }
    }
    connected.forEach(picker::disconnect);
  }

  /**
   * Race: the candidates cross {@value LeastPolicy#INDEX_FROM} back and forth (one server flapping)
   * while leases open and close: each crossing swaps a scan for a fresh index or back, on the
   * flapping thread. The index built last must be exact once the threads stop.
   */
  @Test
  void crossingTheIndexThresholdBackAndForthKeepsPicksExact() throws Exception {
    List<Server> pool = pool("10.122.").subList(0, LeastPolicy.INDEX_FROM);
    LoadBalancer lb = LoadBalancer.builder(pool).algorithm(Algorithm.LEAST_CONNECTIONS).build();
    Server flapping = pool.get(pool.size() / 2);
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
                for (int i = 0; i < 3_000; i++) {
                  if (held.size() < 30 && random.nextBoolean()) {
                    lb.tryAcquire(Request.empty()).ifPresent(held::add);
                  } else if (!held.isEmpty()) {
                    held.poll().close();
                  }
                }
                held.forEach(Lease::close);
              }));
    }
    threads.add(
        thread(
            start,
            failures::add,
            () -> {
              for (int i = 0; i < 400; i++) {
                flapping.setHealthy(i % 2 != 0);
              }
            }));
    start.countDown();
    for (Thread t : threads) {
      t.join(JOIN_BOUND.toMillis());
      assertThat(t.isAlive()).as("a thread is stuck: deadlock?").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(lb.tableForTest().candidates).hasSize(LeastPolicy.INDEX_FROM);

    ArrayDeque<Lease> held = new ArrayDeque<>();
    for (int i = 0; i < 2 * LeastPolicy.INDEX_FROM + 100; i++) {
      int fewest = fewest(lb.servers());
      Lease lease = lb.acquire(Request.empty());
      assertThat(lease.server().activeConnections() - 1).as("step %s", i).isEqualTo(fewest);
      held.add(lease);
      if (i % 3 == 0) {
        held.poll().close();
      }
    }
    held.forEach(Lease::close);
  }

  /** The fewest connections among the healthy servers of {@code servers}. */
  private static int fewest(List<Server> servers) {
    int fewest = Integer.MAX_VALUE;
    for (Server s : servers) {
      if (s.isHealthy()) {
        fewest = Math.min(fewest, s.activeConnections());
      }
    }
    return fewest;
  }

  private static Server pickNonNull(Supplier<@Nullable Server> pick) {
    Server s = pick.get();
    assertThat(s).isNotNull();
    return s;
  }

  private static List<Server> pool(String prefix) {
    List<Server> pool = new ArrayList<>();
    for (int i = 0; i < SERVERS + EXTRA; i++) {
      pool.add(new Server(prefix + (i / 250) + "." + (i % 250 + 1), 8080));
    }
    return pool;
  }
}
