package dev.lbkit.core;

import static dev.lbkit.core.Racers.thread;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Race: every standalone picker under picks of all three kinds ({@code next()}, {@code
 * next(request)}, {@code next(request, admit)} with a refusing predicate) from four threads, while
 * two threads flip the health and weight of the servers they own and one replaces the servers. No
 * pick may return a server that was unhealthy from before the pick started until it returned, nor
 * one that a {@code setServers} which returned before the pick started had dropped, nor a server
 * object the picker was never given. Once quiet, picks are exactly the healthy servers of {@code
 * servers()}, and null exactly when none is healthy.
 */
class StandalonePickerChurnTest {

  private static final int POOL = 8;
  private static final Duration JOIN_BOUND = Duration.ofSeconds(30);

  record Kind(String name, Function<List<Server>, ServerPicker> create) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Kind> kinds() {
    return Stream.of(
        new Kind("round robin", RoundRobin::new),
        new Kind("weighted round robin", WeightedRoundRobin::new),
        new Kind("least connections", LeastConnections::new),
        new Kind("random", s -> ServerPicker.random(s, RandomSources.threadLocal())),
        new Kind(
            "power of three", s -> ServerPicker.powerOfChoices(s, 3, RandomSources.threadLocal())),
        new Kind("least loaded", ServerPicker::leastLoaded),
        new Kind("peak ewma", PeakEwma::new),
        new Kind("weighted least request", WeightedLeastRequest::new),
        new Kind(
            "weighted least request in slow start",
            s ->
                new WeightedLeastRequest(
                    s,
                    1.0,
                    SlowStart.of(Duration.ofDays(1)),
                    Ticker.system(),
                    RandomSources.threadLocal())),
        new Kind(
            "prequal",
            s ->
                new Prequal(
                    s,
                    PrequalConfig.builder(
                            server ->
                                CompletableFuture.completedFuture(
                                    new LoadReport(server.activeConnections(), server.weight())))
                        .executor(Runnable::run)
                        .build())),
        new Kind("consistent hash", ServerPicker::consistentHash));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void noPickReturnsAServerThatWasOutAllAlongAndPicksAreExactOnceQuiet(Kind kind) throws Exception {
    List<Server> pool = new ArrayList<>();
    Map<Server, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < POOL; i++) {
      Server s = new Server("10.170.0." + (i + 1), 8080);
      pool.add(s);
      index.put(s, i);
    }
    ServerPicker picker = kind.create().apply(pool);
    // Odd values mean out: set after the change returned, cleared before the undoing change.
    AtomicLongArray down = new AtomicLongArray(POOL);
    AtomicLongArray dropped = new AtomicLongArray(POOL);
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int seed = t;
      threads.add(
          thread(
              start,
              e -> violations.add("threw " + e),
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 4_000; i++) {
                  long[][] before = new long[POOL][];
                  for (int k = 0; k < POOL; k++) {
                    before[k] = new long[] {down.get(k), dropped.get(k)};
                  }
                  Request request = Request.builder().key("key-" + random.nextInt(64)).build();
                  Server s =
                      switch (random.nextInt(3)) {
                        case 0 -> picker.next();
                        case 1 -> picker.next(request);
                        default -> picker.next(request, c -> random.nextInt(3) != 0);
                      };
                  if (s == null) {
                    continue;
                  }
                  Integer k = index.get(s);
                  if (k == null) {
                    violations.add("returned a server object it was never given: " + s);
                    continue;
                  }
                  if (before[k][0] == down.get(k) && before[k][0] % 2 != 0) {
                    violations.add("returned " + s + ", unhealthy all along");
                  }
                  if (before[k][1] == dropped.get(k) && before[k][1] % 2 != 0) {
                    violations.add("returned " + s + ", dropped all along");
                  }
                  if (picker instanceof LeastConnections lc && random.nextBoolean()) {
                    lc.connect(s);
                    lc.disconnect(s);
                  } else if (picker instanceof PeakEwma ewma) {
                    ewma.connect(s);
                    ewma.observe(s, 1_000 + random.nextInt(1_000_000));
                    ewma.disconnect(s);
                  }
                }
              }));
    }
    for (int t = 0; t < 2; t++) {
      int owner = t;
      threads.add(
          thread(
              start,
              e -> violations.add("threw " + e),
              () -> {
                SplittableRandom random = new SplittableRandom(100 + owner);
                for (int i = 0; i < 500; i++) {
                  int k = 2 * random.nextInt(POOL / 2) + owner;
                  Server s = pool.get(k);
                  if (random.nextInt(4) == 0) {
                    s.setWeight(1 + random.nextInt(4));
                  } else if (random.nextBoolean()) {
                    s.setHealthy(false);
                    if (down.get(k) % 2 == 0) {
                      down.incrementAndGet(k);
                    }
                  } else {
                    if (down.get(k) % 2 != 0) {
                      down.incrementAndGet(k);
                    }
                    s.setHealthy(true);
                  }
                }
              }));
    }
    threads.add(
        thread(
            start,
            e -> violations.add("threw " + e),
            () -> {
              Random random = new Random(7);
              for (int i = 0; i < 300; i++) {
                List<Server> next = new ArrayList<>(pool);
                Collections.shuffle(next, random);
                next = next.subList(0, 1 + random.nextInt(POOL));
                for (Server s : next) {
                  int k = index.get(s);
                  if (dropped.get(k) % 2 != 0) {
                    dropped.incrementAndGet(k);
                  }
                }
                picker.setServers(next);
                for (int k = 0; k < POOL; k++) {
                  if (!next.contains(pool.get(k)) && dropped.get(k) % 2 == 0) {
                    dropped.incrementAndGet(k);
                  }
                }
              }
            }));
    start.countDown();
    for (Thread t : threads) {
      t.join(JOIN_BOUND.toMillis());
      assertThat(t.isAlive()).as("a thread is stuck: deadlock?").isFalse();
    }
    assertThat(violations).isEmpty();
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);

    // Quiet: every kind of pick returns a healthy server of servers(), null iff none.
    List<Server> members = picker.servers();
    for (int round = 0; round < 3; round++) {
      boolean anyHealthy = members.stream().anyMatch(Server::isHealthy);
      for (int i = 0; i < 50; i++) {
        Request request = Request.builder().key("key-" + i).build();
        for (@Nullable Server s :
            new Server[] {picker.next(), picker.next(request), picker.next(request, c -> true)}) {
          if (!anyHealthy) {
            assertThat(s).isNull();
          } else {
            assertThat(s).isNotNull();
            assertThat(members).containsOnlyOnce(s);
            assertThat(s.isHealthy()).as("%s healthy", s).isTrue();
          }
        }
      }
      members.get(round % members.size()).setHealthy(round != 1);
    }
  }
}
