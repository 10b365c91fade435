package dev.lbkit.core;

import static dev.lbkit.core.Racers.thread;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Race: Prequal picks from four threads while probes start on one executor and complete on another
 * (so results enter the pool while picks read and exhaust it) and a fifth thread flips the health
 * of half the servers. Every pick returns one of the servers and never null (the other half stays
 * healthy), and the pool never holds more than its size; once quiet, no pick returns a server that
 * is down, and with the executor shut down picks go on without probes.
 */
class PrequalHammerTest {

  private static final Duration BOUND = Duration.ofSeconds(60);

  @Test
  void picksStayAmongHealthyServersWhileProbesLandAndHealthFlips() throws Exception {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      servers.add(new Server("s" + i, 80));
    }
    Set<Server> flipping = Set.copyOf(servers.subList(0, 4));
    ExecutorService probeStarter = Executors.newSingleThreadExecutor();
    ExecutorService answers = Executors.newFixedThreadPool(2);
    Prequal picker =
        new Prequal(
            servers,
            PrequalConfig.builder(
                    server ->
                        CompletableFuture.supplyAsync(
                            () ->
                                new LoadReport(
                                    server.activeConnections() + server.port() % 7, 1_000),
                            answers))
                .executor(probeStarter)
                .poolSize(8)
                .build());
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    List<Thread> pickers = new ArrayList<>();
    try {
      for (int t = 0; t < 4; t++) {
        pickers.add(
            thread(
                start,
                failures::add,
                () -> {
                  for (int i = 0; i < 100_000; i++) {
                    Server s = picker.next();
                    assertThat(s).isNotNull().isIn(servers);
                    assertThat(picker.pooledProbes()).isLessThanOrEqualTo(8);
                  }
                }));
      }
      Thread flipper =
          thread(
              start,
              failures::add,
              () -> {
                int i = 0;
                while (!done.get()) {
                  Server s = servers.get(i++ % 4);
                  s.setHealthy(!s.isHealthy());
                }
              });
      start.countDown();
      for (Thread t : pickers) {
        t.join(BOUND.toMillis());
        assertThat(t.isAlive()).as("picker finished within %s", BOUND).isFalse();
      }
      done.set(true);
      flipper.join(BOUND.toMillis());
      assertThat(failures).isEmpty();
      assertThat(picker.probesSent()).isPositive();

      // Quiet: the flipping half down for good; picks come only from the other half.
      flipping.forEach(s -> s.setHealthy(false));
      for (int i = 0; i < 1_000; i++) {
        assertThat(picker.next()).isNotIn(flipping);
      }
    } finally {
      probeStarter.shutdown();
      answers.shutdown();
      assertThat(probeStarter.awaitTermination(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(answers.awaitTermination(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
    // A shut-down executor refuses the probes: picks go on without them.
    for (int i = 0; i < 100; i++) {
      assertThat(picker.next()).isNotIn(flipping);
    }
  }
}
