package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event loop: order, the clock it exposes as a ticker, and what it refuses. */
class EventLoopTest {

  private final EventLoop loop = new EventLoop();
  private final List<String> trace = new ArrayList<>();

  private Runnable record(String name) {
    return () -> trace.add(name + "@" + loop.read());
  }

  @Test
  void runsEventsInTimeOrderAndSimultaneousOnesInTheOrderScheduled() {
    loop.at(30, record("c"));
    loop.at(10, record("a1"));
    loop.at(20, record("b"));
    loop.at(10, record("a2"));
    assertThat(loop.read()).isZero();
    assertThat(loop.pending()).isEqualTo(4);

    assertThat(loop.run()).isEqualTo(4);

    assertThat(trace).containsExactly("a1@10", "a2@10", "b@20", "c@30");
    assertThat(loop.read()).isEqualTo(30);
    assertThat(loop.pending()).isZero();
  }

  @Test
  void actionsScheduleMoreEventsIncludingAtTheCurrentTime() {
    loop.at(
        5,
        () -> {
          trace.add("first@" + loop.read());
          loop.at(loop.read(), record("now"));
          loop.at(loop.read() + 7, record("later"));
        });
    loop.at(5, record("second"));
    assertThat(loop.run()).isEqualTo(4);
    assertThat(trace).containsExactly("first@5", "second@5", "now@5", "later@12");
  }

  @Test
  void refusesEventsInThePast() {
    loop.at(10, record("a"));
    loop.run();
    assertThatThrownBy(() -> loop.at(9, record("late")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time: 9 (expected: >= now, 10)");
    assertThatThrownBy(() -> loop.at(11, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("action");
    assertThat(loop.run()).isZero();
  }
}
