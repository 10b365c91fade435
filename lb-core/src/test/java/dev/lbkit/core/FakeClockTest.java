package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link FakeClock} (lb-core's test-jar). Its test lives outside the published package,
 * so the test-jar carries no JUnit.
 */
class FakeClockTest {

  private static final Duration SECOND = Duration.ofSeconds(1);

  private final FakeClock clock = new FakeClock();
  private final List<String> trace = new ArrayList<>();

  /** Schedules a task that logs "name@seconds" with the time the clock reads while it runs. */
  private FakeClock.Scheduled log(String name, Duration delay) {
    return clock.schedule(
        () -> trace.add(name + "@" + TimeUnit.NANOSECONDS.toSeconds(clock.read())), delay);
  }

  @Test
  void advanceRunsWhatFallsDueInTimeOrderTiesInTheOrderScheduled() {
    log("c", Duration.ofSeconds(3));
    log("a", SECOND);
    log("b1", Duration.ofSeconds(2));
    log("b2", Duration.ofSeconds(2));
    log("late", Duration.ofSeconds(10));

    clock.advance(Duration.ofSeconds(3));

    assertThat(trace).containsExactly("a@1", "b1@2", "b2@2", "c@3");
    assertThat(clock.read()).isEqualTo(Duration.ofSeconds(3).toNanos());
    assertThat(clock.pending()).isEqualTo(1);
  }

  @Test
  void aTaskDueWithinTheSameAdvanceRunsInIt() {
    clock.schedule(
        () -> {
          trace.add("first@" + TimeUnit.NANOSECONDS.toSeconds(clock.read()));
          log("second", SECOND);
          log("beyond", Duration.ofSeconds(5));
        },
        SECOND);

    clock.advance(Duration.ofSeconds(2));

    assertThat(trace).containsExactly("first@1", "second@2");
    assertThat(clock.pending()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(4));
    assertThat(trace).containsExactly("first@1", "second@2", "beyond@6");
  }

  @Test
  void zeroAndNegativeDelaysRunOnTheNextAdvanceEvenByZero() {
    log("now", Duration.ZERO);
    log("past", SECOND.negated());
    assertThat(trace).isEmpty();
    clock.advance(Duration.ZERO);
    assertThat(trace).containsExactly("now@0", "past@0");
  }

  @Test
  void aCancelledTaskNeverRunsAndIsNotPending() {
    FakeClock.Scheduled a = log("a", SECOND);
    log("b", SECOND);
    assertThat(clock.pending()).isEqualTo(2);
    a.cancel();
    a.cancel();
    assertThat(clock.pending()).isEqualTo(1);
    clock.advance(SECOND);
    assertThat(trace).containsExactly("b@1");
    assertThat(clock.pending()).isZero();
  }

  @Test
  void setNanosMovesTheReadingButNoTimePasses() {
    log("a", Duration.ofSeconds(5));
    clock.setNanos(Duration.ofSeconds(100).toNanos());
    assertThat(trace).isEmpty();
    clock.advance(Duration.ofSeconds(4));
    assertThat(trace).isEmpty();
    clock.advance(SECOND);
    assertThat(trace).containsExactly("a@105");
  }

  @Test
  void theReadingWrapsAroundLikeNanoTime() {
    FakeClock near = new FakeClock(Long.MAX_VALUE - 1);
    near.advanceNanos(2);
    assertThat(near.read()).isEqualTo(Long.MIN_VALUE);
    long expected = near.read();
    for (int i = 0; i < 20; i++) {
      near.advanceNanos(Long.MAX_VALUE); // nothing scheduled: any amount, any number of times
      expected += Long.MAX_VALUE; // wraps, as the reading must
      assertThat(near.read()).isEqualTo(expected);
    }
  }

  @Test
  void badInputIsRejected() {
    assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration: PT-0.000000001S (expected: >= 0)");
    assertThatThrownBy(() -> clock.advanceNanos(-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nanos: -5 (expected: >= 0)");
    assertThatThrownBy(() -> clock.schedule(null, SECOND))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("task");
    assertThatThrownBy(() -> clock.schedule(() -> {}, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("delay");
  }

  /**
   * The race between advances on several threads: each due task runs exactly once, and the clock
   * ends at the sum of the advances, having never gone back.
   */
  @Test
  void concurrentAdvancesRunEachTaskOnceAndNeverGoBack() throws InterruptedException {
    int threads = 4;
    int steps = 1_000;
    AtomicInteger ran = new AtomicInteger();
    for (int i = 1; i <= threads * steps; i++) {
      clock.schedule(ran::incrementAndGet, Duration.ofNanos(i));
    }
    List<Long> wentBack = new CopyOnWriteArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> advancers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread advancer =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                long last = clock.read();
                for (int i = 0; i < steps; i++) {
                  clock.advanceNanos(1);
                  long now = clock.read();
                  if (now < last) {
                    wentBack.add(now);
                  }
                  last = now;
                }
              });
      advancer.start();
      advancers.add(advancer);
    }
    start.countDown();
    for (Thread advancer : advancers) {
      advancer.join();
    }
    assertThat(wentBack).isEmpty();
    assertThat(ran).hasValue(threads * steps);
    assertThat(clock.read()).isEqualTo(threads * steps);
    assertThat(clock.pending()).isZero();
  }
}
