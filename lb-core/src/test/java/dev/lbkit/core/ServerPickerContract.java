package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ServerPicker} keeps, run against each algorithm by a subclass: never an
 * unhealthy server; null exactly when none is healthy; exact shares over a full period, from one
 * thread and from many; connection counts back to zero after concurrent use; membership changes
 * while other threads pick.
 */
abstract class ServerPickerContract {

  private static final int THREADS = 4;

  private final List<ExecutorService> pools = new ArrayList<>();

  /** Creates the picker under test. */
  abstract ServerPicker create(List<Server> servers);

  /**
   * Returns how many picks each server gets over one full period when all are healthy and none has
   * connections. The period is the sum of the values.
   */
  abstract Map<Server, Integer> sharesPerPeriod(List<Server> servers);

  static List<Server> servers(int... weights) {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      servers.add(new Server("10.0.0." + (i + 1), 8080, weights[i]));
    }
    return servers;
  }

  @AfterEach
  void shutDownPools() throws InterruptedException {
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void returnsNullWhenThereAreNoServers() {
    assertThat(create(List.of()).next()).isNull();
  }

  @Test
  void returnsNullExactlyWhenNoServerIsHealthy() {
    List<Server> servers = servers(1, 2, 3);
    ServerPicker picker = create(servers);
    servers.forEach(s -> s.setHealthy(false));
    assertThat(picker.next()).isNull();

    servers.get(1).setHealthy(true);
    for (int i = 0; i < 20; i++) {
      assertThat(picker.next()).isSameAs(servers.get(1));
    }
  }

  @Test
  void neverReturnsAnUnhealthyServerWhileHealthFlips() {
    List<Server> servers = servers(1, 3, 2, 5, 1);
    ServerPicker picker = create(servers);
    Random random = new Random(42);
    for (int round = 0; round < 2_000; round++) {
      servers.get(random.nextInt(servers.size())).setHealthy(random.nextBoolean());
      boolean anyHealthy = servers.stream().anyMatch(Server::isHealthy);
      for (int i = 0; i < 7; i++) {
        Server picked = picker.next();
        if (anyHealthy) {
          assertThat(picked).isNotNull();
          assertThat(picked.isHealthy()).as("picked %s", picked).isTrue();
        } else {
          assertThat(picked).isNull();
        }
      }
    }
  }

  @Test
  void givesExactSharesOverEveryFullPeriod() {
    List<Server> servers = servers(5, 1, 1, 3, 2);
    ServerPicker picker = create(servers);
    Map<Server, Integer> shares = sharesPerPeriod(servers);
    int period = shares.values().stream().mapToInt(Integer::intValue).sum();
    for (int round = 0; round < 5; round++) {
      Map<Server, Integer> counts = new HashMap<>();
      for (int i = 0; i < period; i++) {
        counts.merge(picker.next(), 1, Integer::sum);
      }
      assertThat(counts).isEqualTo(shares);
    }
  }

  @Test
  void givesExactSharesWhenManyThreadsPickAtOnce() throws Exception {
    List<Server> servers = servers(4, 1, 2, 3);
    ServerPicker picker = create(servers);
    Map<Server, Integer> shares = sharesPerPeriod(servers);
    int period = shares.values().stream().mapToInt(Integer::intValue).sum();
    int periodsPerThread = 2_000;
    Map<Server, LongAdder> counts = new ConcurrentHashMap<>();
    runConcurrently(
        () -> {
          for (int i = 0; i < period * periodsPerThread; i++) {
            counts.computeIfAbsent(picker.next(), s -> new LongAdder()).increment();
          }
        });
    for (Server server : servers) {
      assertThat(counts.get(server).sum())
          .as("picks of %s", server)
          .isEqualTo((long) shares.get(server) * periodsPerThread * THREADS);
    }
  }

  @Test
  void connectionCountsReturnToZeroAfterConcurrentUse() throws Exception {
    List<Server> servers = servers(1, 2, 3);
    ServerPicker picker = create(servers);
    AtomicBoolean negativeSeen = new AtomicBoolean();
    runConcurrently(
        () -> {
          for (int i = 0; i < 20_000; i++) {
            Server s = picker.next();
            s.connectionOpened();
            if (s.activeConnections() < 1) {
              negativeSeen.set(true);
            }
            s.connectionClosed();
          }
        });
    assertThat(negativeSeen).isFalse();
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
  }

  @Test // race: a pick reading the old snapshot while setServers installs a new one
  void picksOnlyMembersWhileMembershipChanges() throws Exception {
    List<Server> first = servers(1, 2, 3);
    List<Server> second = List.of(new Server("10.0.1.1", 80, 2), new Server("10.0.1.2", 80));
    Set<Server> universe = new HashSet<>(first);
    universe.addAll(second);
    ServerPicker picker = create(first);
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService writer = pool(1);
    Future<?> churn =
        writer.submit(
            () -> {
              for (int i = 0; i < 2_000; i++) {
                picker.setServers(i % 2 == 0 ? second : first);
              }
              done.set(true);
            });
    Set<Server> picked = ConcurrentHashMap.newKeySet();
    runConcurrently(
        () -> {
          while (!done.get()) {
            Server s = picker.next();
            assertThat(s).isNotNull();
            picked.add(s);
          }
        });
    churn.get();
    assertThat(universe).containsAll(picked);

    List<Server> last = List.of(new Server("10.0.2.1", 80));
    picker.setServers(last);
    assertThat(picker.servers()).isEqualTo(last);
    for (int i = 0; i < 10; i++) {
      assertThat(picker.next()).isSameAs(last.get(0));
    }
  }

  @Test
  void serversAreASnapshotInListOrder() {
    List<Server> servers = servers(1, 2, 3);
    ServerPicker picker = create(servers);
    assertThat(picker.servers()).containsExactlyElementsOf(servers);
    servers.get(0).setHealthy(false);
    assertThat(picker.servers()).containsExactlyElementsOf(servers);
    assertThatThrownBy(() -> picker.servers().add(new Server("x", 1)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsBadServerLists() {
    Server a = new Server("a", 1);
    List<Server> withNull = new ArrayList<>();
    withNull.add(a);
    withNull.add(null);
    assertThatThrownBy(() -> create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers");
    assertThatThrownBy(() -> create(withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers[1]");
    assertThatThrownBy(() -> create(List.of(a, new Server("a", 1, 5))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("servers[1]: a:1")
        .hasMessageContaining("a:1 appears twice")
        .hasMessageNotContaining("w=5"); // the offending id, never the whole list
    ServerPicker picker = create(List.of(a));
    assertThatThrownBy(() -> picker.setServers(List.of(a, a)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appears twice");
    assertThat(picker.servers()).containsExactly(a);
  }

  /** Runs {@code task} on {@value #THREADS} threads started together; rethrows any failure. */
  void runConcurrently(Runnable task) throws Exception {
    ExecutorService pool = pool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                task.run();
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  private ExecutorService pool(int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    pools.add(pool);
    return pool;
  }

  static Map<Server, Integer> equalShares(List<Server> servers) {
    Map<Server, Integer> shares = new HashMap<>();
    servers.forEach(s -> shares.put(s, 1));
    return shares;
  }
}
