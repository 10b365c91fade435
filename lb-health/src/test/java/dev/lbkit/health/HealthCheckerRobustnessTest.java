package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.Server;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the fragile spots an adversarial run found where user code or configuration
 * meets the checker's threads (issue 13, items 1-7; item 8, the ticker, is in {@link
 * HealthCheckerTimeTest}). Each failed on the checker before the fix. Waits are bounded; nothing
 * sleeps.
 */
class HealthCheckerRobustnessTest {

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final long WAIT_SECONDS = 20;

  private final FakeScheduler scheduler = new FakeScheduler();
  private final Server a = new Server("10.9.0.1", 80);
  private final Server b = new Server("10.9.0.2", 80);

  private HealthChecker.Builder fakeTime(Probe probe) {
    return HealthChecker.builder()
        .interval(SECOND)
        .timeout(Duration.ofMillis(500))
        .jitter(0)
        .scheduler(scheduler)
        .probeExecutor(Runnable::run)
        .probe(probe);
  }

  @Test // item 1: a probe executor that rejects one submission
  void aRejectedSubmissionIsAFailedProbeAndTheServerIsProbedAgainNextRound() {
    AtomicInteger submissions = new AtomicInteger();
    Executor rejectsTheFirst =
        task -> {
          if (submissions.incrementAndGet() == 1) {
            throw new RejectedExecutionException("queue full");
          }
          task.run();
        };
    AtomicInteger probes = new AtomicInteger();
    Probe fails =
        (server, timeout) -> {
          probes.incrementAndGet();
          return ProbeResult.failed("down");
        };
    try (HealthChecker checker = fakeTime(fails).probeExecutor(rejectsTheFirst).build()) {
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ZERO); // the round at 0: rejected, a failure
      assertThat(checker.state(a)).isEqualTo(new HealthState(true, 1));
      scheduler.advance(Duration.ofSeconds(2)); // rounds at 1 s and 2 s probe again
      assertThat(probes).hasValue(2);
      assertThat(a.isHealthy()).isFalse();
      scheduler.advance(Duration.ofSeconds(17));
      assertThat(probes).hasValue(19); // never given up on
    }
  }

  @Test // item 2: concurrent check() calls on one server
  void concurrentChecksOfOneServerJoinTheProbeInFlight() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    Probe slow =
        (server, timeout) -> {
          started.incrementAndGet();
          release.await(WAIT_SECONDS, TimeUnit.SECONDS);
          return ProbeResult.passed();
        };
    try (HealthChecker checker =
        HealthChecker.builder()
            .interval(Duration.ofSeconds(30))
            .timeout(Duration.ofSeconds(30))
            .probe(slow)
            .build()) {
      List<Thread> callers = new ArrayList<>();
      List<Boolean> results = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread caller = new Thread(() -> results.add(checker.check(a)), "checker-caller-" + i);
        callers.add(caller);
        caller.start();
      }
      Await.until(
          "four callers waiting",
          () ->
              started.get() >= 1
                  && callers.stream()
                      .allMatch(
                          t ->
                              t.getState() == Thread.State.WAITING
                                  || t.getState() == Thread.State.TIMED_WAITING));
      assertThat(started).as("probes of one server running at once").hasValue(1);
      release.countDown();
      for (Thread caller : callers) {
        caller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      }
      assertThat(results).containsExactly(true, true, true, true);
      assertThat(started).hasValue(1);
    }
  }

  @Test // item 3: a slow callback for a timed-out probe
  void aSlowCallbackHoldsUpNoProbeOfAnyOtherServer() throws Exception {
    CountDownLatch inCallback = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger probesOfB = new AtomicInteger();
    Probe probe =
        (server, timeout) -> {
          if (server.equals(a)) {
            new CountDownLatch(1).await(); // hangs until interrupted: times out every time
          }
          probesOfB.incrementAndGet();
          return ProbeResult.passed();
        };
    HealthChecker checker =
        HealthChecker.builder()
            .interval(Duration.ofMillis(50))
            .timeout(Duration.ofMillis(20))
            .unhealthyThreshold(1)
            .probe(probe)
            .build();
    checker.onUnhealthy(
        server -> {
          inCallback.countDown();
          try {
            release.await(WAIT_SECONDS, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try {
      checker.watch(List.of(a, b));
      checker.start();
      assertThat(inCallback.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      int before = probesOfB.get();
      Await.until("b probed three more times", () -> probesOfB.get() >= before + 3);
    } finally {
      release.countDown();
      checker.stop();
    }
  }

  @Test // item 3: callbacks leave the probing threads, but keep their order per server
  void callbacksRunInTransitionOrderPerServer() throws Exception {
    Probe flips = new ScriptProbe("-+-+-+-+-+");
    List<String> events = new CopyOnWriteArrayList<>();
    try (HealthChecker checker =
        HealthChecker.builder().healthyThreshold(1).unhealthyThreshold(1).probe(flips).build()) {
      checker.onHealthy(server -> events.add("up"));
      checker.onUnhealthy(server -> events.add("down"));
      for (int i = 0; i < 10; i++) {
        checker.check(a);
      }
      Await.until("ten transitions heard " + events, () -> events.size() == 10);
    }
    assertThat(events)
        .containsExactly("down", "up", "down", "up", "down", "up", "down", "up", "down", "up");
  }

  @Test // item 4: an Error from a callback
  void anErrorThrownByACallbackIsIsolatedFromTheOtherCallbacks() throws Exception {
    CountDownLatch transition = new CountDownLatch(1);
    try (HealthChecker checker =
        HealthChecker.builder()
            .unhealthyThreshold(1)
            .probe((server, timeout) -> ProbeResult.failed("down"))
            .build()) {
      checker.onUnhealthy(
          server -> {
            throw new AssertionError("a callback that throws an Error");
          });
      checker.onTransition((server, from, to, result) -> transition.countDown());
      assertThat(checker.check(a)).isFalse();
      assertThat(transition.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(a.isHealthy()).isFalse();
    }
  }

  @Test // item 5: an interval or timeout too long for nanoseconds
  void anIntervalOrTimeoutPastTheLimitIsRefusedAtOnce() {
    Duration centuries = Duration.ofDays(365L * 300);
    assertThatThrownBy(() -> HealthChecker.builder().interval(centuries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval: PT2628000H (expected: <= PT87600H)");
    assertThatThrownBy(() -> HealthChecker.builder().timeout(centuries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT2628000H (expected: <= PT87600H)");
    Duration longest = Duration.ofDays(3650);
    HealthChecker checker =
        HealthChecker.builder()
            .interval(longest)
            .timeout(longest)
            .jitter(0.5)
            .probe((server, timeout) -> ProbeResult.passed())
            .build();
    checker.watch(List.of(a));
    checker.start();
    assertThat(checker.check(a)).isTrue();
    checker.stop();
    assertThat(checker.isRunning()).isFalse();
  }

  @Test // item 7: probe deadlines run on real time, whatever the scheduler
  void aProbeStillOnTheWireWhenFakeTimeJumpsIsNotTimedOut() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Probe answersWhenReleased =
        (server, timeout) -> {
          release.await(WAIT_SECONDS, TimeUnit.SECONDS);
          return ProbeResult.passed();
        };
    a.setHealthy(false);
    try (HealthChecker checker =
        HealthChecker.builder()
            .interval(Duration.ofSeconds(WAIT_SECONDS))
            .timeout(Duration.ofSeconds(WAIT_SECONDS))
            .jitter(0)
            .healthyThreshold(1)
            .unhealthyThreshold(1)
            .scheduler(scheduler)
            .probe(answersWhenReleased)
            .build()) {
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ofMinutes(10)); // fake time runs far past the timeout...
      assertThat(checker.state(a)).isEqualTo(HealthState.UNHEALTHY); // ...which is not a failure
      release.countDown(); // the answer arrives
      Await.until("the answer counts", a::isHealthy);
    }
  }

  @Test // item 7: and a probe that hangs times out in real time with fake time standing still
  void aHungProbeTimesOutInRealTimeWhileFakeTimeStandsStill() {
    Probe hangs =
        (server, timeout) -> {
          new CountDownLatch(1).await();
          return ProbeResult.passed();
        };
    try (HealthChecker checker =
        HealthChecker.builder()
            .interval(SECOND)
            .timeout(Duration.ofMillis(50))
            .jitter(0)
            .scheduler(scheduler)
            .probe(hangs)
            .build()) {
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ZERO);
      Await.until("the probe timed out", () -> checker.state(a).equals(new HealthState(true, 1)));
    }
  }

  @Test // a probe whose deadline passes while it waits in the executor's queue
  void aProbeTimedOutBeforeItStartedDoesNotBlockTheServersLaterProbes() throws Exception {
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    CountDownLatch blocker = new CountDownLatch(1);
    AtomicInteger probes = new AtomicInteger();
    Probe counts =
        (server, timeout) -> {
          probes.incrementAndGet();
          return ProbeResult.passed();
        };
    try (HealthChecker checker =
        HealthChecker.builder()
            .interval(SECOND)
            .timeout(Duration.ofMillis(50))
            .jitter(0)
            .scheduler(scheduler)
            .probeExecutor(oneThread)
            .probe(counts)
            .build()) {
      oneThread.execute(
          () -> {
            try {
              blocker.await(WAIT_SECONDS, TimeUnit.SECONDS); // the only thread is busy...
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      checker.watch(List.of(a));
      checker.start();
      scheduler.advance(Duration.ZERO); // ...so the probe of the round at 0 waits in the queue
      Await.until("its deadline passed", () -> checker.state(a).equals(new HealthState(true, 1)));
      blocker.countDown(); // the queued probe runs now, too late: it must not probe
      Await.until("the queue drained", () -> oneThread.submit(() -> {}).isDone());
      scheduler.advance(SECOND); // the round at 1 s probes again
      Await.until("probed again", () -> probes.get() == 1);
      Await.until("and passed", () -> checker.state(a).equals(HealthState.HEALTHY));
    } finally {
      oneThread.shutdownNow();
    }
  }

  /** Plays a script of results, '+' passes and '-' fails, whatever the server. */
  static final class ScriptProbe implements Probe {
    private final String script;
    private final AtomicInteger next = new AtomicInteger();

    ScriptProbe(String script) {
      this.script = script;
    }

    @Override
    public ProbeResult probe(Server server, Duration timeout) {
      int i = next.getAndIncrement();
      return i < script.length() && script.charAt(i) == '-'
          ? ProbeResult.failed("scripted")
          : ProbeResult.passed();
    }
  }
}
