package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {

  private static final Duration SECOND = Duration.ofSeconds(1);

  private final FakeScheduler scheduler = new FakeScheduler();
  private final Server a = new Server("10.9.0.1", 80);
  private final Server b = new Server("10.9.0.2", 80);

  /** A probe that plays a script per server ('+' passes, '-' fails) and logs when it ran. */
  private final class ScriptedProbe implements Probe {
    final Map<Server, Deque<Character>> scripts = new HashMap<>();
    final List<String> log = new ArrayList<>();

    ScriptedProbe script(Server server, String results) {
      Deque<Character> steps = new ArrayDeque<>();
      results.chars().forEach(c -> steps.add((char) c));
      scripts.put(server, steps);
      return this;
    }

    @Override
    public ProbeResult probe(Server server, Duration timeout) throws IOException {
      log.add(server.host() + "@" + TimeUnit.NANOSECONDS.toMillis(scheduler.nanos()));
      Deque<Character> steps = scripts.get(server);
      char step = steps == null || steps.isEmpty() ? '+' : steps.poll();
      if (step == '!') {
        throw new IOException("connection reset");
      }
      return step == '+' ? ProbeResult.passed() : ProbeResult.failed("scripted");
    }
  }

  private HealthChecker.Builder fakeTime(Probe probe) {
    return HealthChecker.builder()
        .interval(SECOND)
        .timeout(Duration.ofMillis(500))
        .jitter(0)
        .scheduler(scheduler)
        .probeExecutor(Runnable::run)
        .callbackExecutor(Runnable::run)
        .probe(probe);
  }

  /**
   * Records {@code server}'s health after each of {@code rounds} rounds ('H' or 'u'): the first
   * round runs at once (jitter 0), the others one interval apart.
   */
  private String trace(int rounds, Server server) {
    StringBuilder trace = new StringBuilder();
    for (int i = 0; i < rounds; i++) {
      scheduler.advance(i == 0 ? Duration.ZERO : SECOND);
      trace.append(server.isHealthy() ? 'H' : 'u');
    }
    return trace.toString();
  }

  @Test
  void followsTheThresholdsOnFakeTime() {
    ScriptedProbe probe = new ScriptedProbe().script(a, "--+---++-+++").script(b, "++++++++++++");
    try (HealthChecker checker = fakeTime(probe).build()) {
      checker.watch(List.of(a, b));
      checker.start();
      assertThat(trace(12, a)).isEqualTo("HHHHHuuHHHHH");
      assertThat(b.isHealthy()).isTrue();
      assertThat(probe.log).contains("10.9.0.1@0", "10.9.0.1@1000", "10.9.0.1@11000");
    }
  }

  @Test
  void firesEachCallbackOncePerTransitionEvenWhenOneThrows() {
    ScriptedProbe probe = new ScriptedProbe().script(a, "---+++---");
    List<String> events = new CopyOnWriteArrayList<>();
    try (HealthChecker checker = fakeTime(probe).build()) {
      checker.onUnhealthy(s -> events.add("down " + s.host()));
      checker.onUnhealthy(
          s -> {
            throw new IllegalStateException("a broken callback");
          });
      checker.onHealthy(s -> events.add("up " + s.host()));
      checker.onTransition(
          (server, from, to, result) ->
              events.add(from.healthy() + "->" + to.healthy() + " " + result));
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ofMillis(8_500)); // rounds at 0..8 s: the nine scripted probes
    }
    assertThat(events)
        .containsExactly(
            "down 10.9.0.1",
            "true->false failed: scripted",
            "up 10.9.0.1",
            "false->true passed",
            "down 10.9.0.1",
            "true->false failed: scripted");
  }

  @Test
  void healthSetElsewhereIsTheStartingPointAndPassingProbesBringTheServerBack() {
    ScriptedProbe probe = new ScriptedProbe().script(a, "++++");
    List<String> transitions = new ArrayList<>();
    try (HealthChecker checker = fakeTime(probe).build()) {
      checker.onTransition(
          (server, from, to, result) -> transitions.add(from.healthy() + "->" + to.healthy()));
      assertThat(checker.check(a)).isTrue(); // the checker has seen it healthy
      a.setHealthy(false); // an operator takes it out
      assertThat(checker.check(a)).isTrue();
      assertThat(a.isHealthy()).as("one pass: below the healthy threshold of 2").isFalse();
      assertThat(checker.check(a)).isTrue();
      assertThat(a.isHealthy()).isTrue();
    }
    assertThat(transitions).containsExactly("false->true");
  }

  @Test
  void aProbeThatThrowsCountsAsAFailureWithItsCause() {
    ScriptedProbe probe = new ScriptedProbe().script(a, "!!!");
    List<ProbeResult> results = new ArrayList<>();
    try (HealthChecker checker = fakeTime(probe).build()) {
      checker.onTransition((server, from, to, result) -> results.add(result));
      assertThat(checker.check(a)).isFalse();
      assertThat(checker.check(a)).isFalse();
      assertThat(a.isHealthy()).isTrue(); // two failures: not yet
      assertThat(checker.check(a)).isFalse();
      assertThat(a.isHealthy()).isFalse();
    }
    assertThat(results).hasSize(1);
    assertThat(results.get(0).cause())
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");
  }

  @Test
  void seedNeedsThreeConsecutiveFailuresBeforeMarkingUnhealthy() {
    Server server = new Server("127.0.0.1", 1);
    ScriptedProbe probe = new ScriptedProbe().script(server, "--+---");
    try (HealthChecker hc = fakeTime(probe).unhealthyThreshold(3).build()) {
      List<Boolean> health = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        hc.check(server);
        health.add(server.isHealthy());
      }
      assertThat(health).containsExactly(true, true, true, true, true, false);
    }
  }

  @Test // race: the next round comes while the last probe of the same server still runs
  void aProbeThatOverrunsItsTimeoutFailsAndIsNeverRunTwiceAtOnce() {
    List<Runnable> parked = new CopyOnWriteArrayList<>(); // probes handed here never finish...
    Probe neverAnswers = (server, timeout) -> ProbeResult.passed();
    try (HealthChecker checker =
        fakeTime(neverAnswers).timeout(Duration.ofMillis(50)).probeExecutor(parked::add).build()) {
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ofMillis(100)); // the round at 0 starts a probe, which hangs
      assertThat(parked).hasSize(1);
      // ...so its deadline, in real time, fails it: failure 1
      Await.until("the deadline passed", () -> checker.state(a).equals(new HealthState(true, 1)));
      scheduler.advance(Duration.ofSeconds(2)); // rounds at 1 s and 2 s: failures 2 and 3
      assertThat(parked).hasSize(1); // no second probe while the first one's thread is busy
      assertThat(a.isHealthy()).isFalse();
      parked.get(0).run(); // the hung probe finally returns (too late to count)...
      scheduler.advance(SECOND); // ...and the next round probes again
      assertThat(parked).hasSize(2);
    }
  }

  @Test // a slow probe still within its timeout when the next round comes
  void aRoundThatFindsAProbeStillWithinItsTimeoutIsSkippedNotFailed() {
    List<Runnable> parked = new ArrayList<>();
    Probe probe = (server, timeout) -> ProbeResult.passed();
    Duration minute = Duration.ofMinutes(1); // a real-time deadline no test run comes near
    try (HealthChecker checker =
        fakeTime(probe).interval(minute).timeout(minute).probeExecutor(parked::add).build()) {
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ZERO);
      assertThat(parked).hasSize(1);
      scheduler.advance(minute); // the round at 1 min finds the probe in flight: skipped
      assertThat(parked).hasSize(1);
      assertThat(checker.state(a)).isEqualTo(HealthState.HEALTHY);
      parked.get(0).run(); // answers in time
      assertThat(checker.state(a)).isEqualTo(HealthState.HEALTHY);
      scheduler.advance(minute); // the round at 2 min starts a new probe
      assertThat(parked).hasSize(2);
      assertThat(checker.state(a)).isEqualTo(HealthState.HEALTHY);
    }
  }

  @Test
  void jitterKeepsEveryIntervalWithinItsBounds() {
    ScriptedProbe probe = new ScriptedProbe();
    try (HealthChecker checker =
        fakeTime(probe).jitter(0.2).random(RandomSources.seeded(7)).build()) {
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ofSeconds(60));
    }
    List<Long> times = new ArrayList<>();
    for (String entry : probe.log) {
      times.add(Long.parseLong(entry.substring(entry.indexOf('@') + 1)));
    }
    assertThat(times.get(0)).isBetween(0L, 200L); // the first probe within the first jitter window
    for (int i = 1; i < times.size(); i++) {
      assertThat(times.get(i) - times.get(i - 1)).isBetween(800L, 1200L);
    }
    assertThat(new java.util.HashSet<>(deltas(times))).hasSizeGreaterThan(5); // it does vary
  }

  private static List<Long> deltas(List<Long> times) {
    List<Long> deltas = new ArrayList<>();
    for (int i = 1; i < times.size(); i++) {
      deltas.add(times.get(i) - times.get(i - 1));
    }
    return deltas;
  }

  @Test
  void followsTheBalancersMembership() {
    ScriptedProbe probe = new ScriptedProbe();
    LoadBalancer lb = new LoadBalancer(List.of(a));
    try (HealthChecker checker = fakeTime(probe).build()) {
      checker.watch(lb);
      checker.start();
      assertThat(checker.watched()).containsExactly(a);
      lb.addServer(b);
      scheduler.advance(Duration.ofMillis(1500)); // the sync at 1 s sees b
      assertThat(checker.watched()).containsExactlyInAnyOrder(a, b);
      lb.removeServer(a);
      scheduler.advance(SECOND);
      assertThat(checker.watched()).containsExactly(b);
      probe.log.clear();
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(probe.log).allMatch(entry -> entry.startsWith("10.9.0.2@")).isNotEmpty();
    }
  }

  @Test
  void watchesAConcurrentCollection() {
    ScriptedProbe probe = new ScriptedProbe();
    List<Server> servers = new CopyOnWriteArrayList<>(List.of(a));
    try (HealthChecker checker = fakeTime(probe).build()) {
      checker.watch(servers);
      checker.start();
      servers.add(b);
      scheduler.advance(Duration.ofSeconds(3));
      assertThat(checker.watched()).containsExactlyInAnyOrder(a, b);
    }
  }

  @Test
  void handsALoadFigureToTheServer() {
    Probe reportsLoad = (server, timeout) -> ProbeResult.passed(7);
    try (HealthChecker checker = fakeTime(reportsLoad).build()) {
      assertThat(checker.check(a)).isTrue();
    }
    assertThat(a.load()).isEqualTo(7);
  }

  @Test
  void startAndStopAreIdempotentAndStopCancelsEveryRound() {
    ScriptedProbe probe = new ScriptedProbe();
    HealthChecker checker = fakeTime(probe).build();
    checker.watch(List.of(a, b));
    checker.start();
    checker.start();
    assertThat(checker.isRunning()).isTrue();
    checker.stop();
    checker.stop();
    assertThat(checker.isRunning()).isFalse();
    probe.log.clear();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(probe.log).isEmpty();
    checker.start(); // and it can start again
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(probe.log).isNotEmpty();
    checker.close();
  }

  @Test
  void leavesNoThreadBehindAfterStop() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Server server = new Server("127.0.0.1", listening.getLocalPort());
      CountDownLatch probed = new CountDownLatch(2);
      Probe counting =
          (s, timeout) -> {
            probed.countDown();
            return ProbeResult.passed();
          };
      HealthChecker checker =
          HealthChecker.builder()
              .interval(Duration.ofMillis(20))
              .timeout(Duration.ofMillis(20))
              .probe(counting)
              .build();
      checker.watch(List.of(server));
      checker.start();
      assertThat(probed.await(10, TimeUnit.SECONDS)).isTrue(); // real threads really probed
      assertThat(checkerThreads()).isNotEmpty();
      checker.stop();
      assertThat(checkerThreads()).isEmpty();
    }
  }

  /**
   * A probe that hangs past its timeout and, once interrupted, takes a further 300 ms to give up
   * (as a probe busy in a slow cleanup might): stop() still returns only after its thread ended.
   */
  @Test
  void stopWaitsUntilAProbeThatIsSlowToHonourItsInterruptHasEnded() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    Probe slowToStop =
        (s, timeout) -> {
          started.countDown();
          try {
            new CountDownLatch(1).await(); // hang until interrupted
          } catch (InterruptedException e) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < until) {
              Thread.onSpinWait();
            }
            Thread.currentThread().interrupt();
          }
          return ProbeResult.failed("interrupted");
        };
    HealthChecker checker =
        HealthChecker.builder()
            .interval(Duration.ofMillis(20))
            .timeout(Duration.ofMillis(20))
            .probe(slowToStop)
            .build();
    checker.watch(List.of(a));
    checker.start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    checker.stop();

    assertThat(checkerThreads()).isEmpty();
  }

  private static List<String> checkerThreads() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("lbkit-health")) {
        names.add(t.getName());
      }
    }
    return Collections.unmodifiableList(names);
  }

  @Test
  void rejectsBadConfiguration() {
    assertThatThrownBy(() -> HealthChecker.builder().healthyThreshold(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("healthyThreshold: 0 (expected: >= 1)");
    assertThatThrownBy(() -> HealthChecker.builder().unhealthyThreshold(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unhealthyThreshold: -1 (expected: >= 1)");
    assertThatThrownBy(() -> HealthChecker.builder().interval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval: PT0S (expected: > 0)");
    assertThatThrownBy(() -> HealthChecker.builder().timeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT-1S (expected: > 0)");
    assertThatThrownBy(
            () -> HealthChecker.builder().interval(SECOND).timeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT2S (expected: <= interval PT1S)");
    assertThatThrownBy(() -> HealthChecker.builder().probe(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("probe");
    assertThatThrownBy(() -> HealthChecker.builder().jitter(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitter: 1.0 (expected: >= 0 and < 1)");
    try (HealthChecker checker = HealthChecker.builder().build()) {
      assertThatThrownBy(() -> checker.check(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("server");
      assertThatThrownBy(() -> checker.watch((LoadBalancer) null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("lb");
      assertThatThrownBy(() -> checker.onHealthy(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("callback");
    }
  }
}
