package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The backends of the two scenarios, request by request. */
class ScenarioTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  @Test
  void backendZeroOfScenarioATakesTwoSecondsOnlyInTheMiddleHalf() {
    StuckBackendScenario a = StuckBackendScenario.published();
    Scenario.Backends backends = a.newBackends();
    assertThat(a.backends()).isEqualTo(11);
    assertThat(a.duration()).isEqualTo(Duration.ofSeconds(60));

    assertThat(backends.completion(0, 15 * S - 1, 0.0)).isEqualTo(15 * S - 1 + 167 * MS);
    assertThat(backends.completion(0, 15 * S, 3.0)).isEqualTo(17 * S);
    assertThat(backends.completion(0, 45 * S - 1, -3.0)).isEqualTo(47 * S - 1);
    assertThat(backends.completion(0, 45 * S, 1.0)).isEqualTo(45 * S + 172 * MS);
    assertThat(backends.completion(1, 20 * S, -2.0)).isEqualTo(20 * S + 157 * MS);
    assertThat(backends.completion(1, 20 * S, -1e9)).as("truncated at 1 ns").isEqualTo(20 * S + 1);
  }

  @Test
  void infiniteServersOfScenarioAAnswerWhateverTheirLoad() {
    Scenario.Backends backends = StuckBackendScenario.published().newBackends();
    for (int i = 0; i < 100; i++) {
      assertThat(backends.completion(3, S, 0.0)).isEqualTo(S + 167 * MS);
    }
  }

  @Test
  void scenarioBBackendsAreFifoQueuesWithTheirOwnMeans() {
    QueueingScenario b = QueueingScenario.published();
    Scenario.Backends backends = b.newBackends();
    assertThat(b.backends()).isEqualTo(10);
    assertThat(b.duration()).isEqualTo(Duration.ofSeconds(2_000));

    assertThat(backends.completion(1, 0, 1.0)).isEqualTo(10 * MS);
    assertThat(backends.completion(1, 2 * MS, 0.5)).as("waits behind the first").isEqualTo(15 * MS);
    assertThat(backends.completion(2, 2 * MS, 0.5)).as("its own queue").isEqualTo(7 * MS);
    assertThat(backends.completion(1, 40 * MS, 2.0)).as("idle again").isEqualTo(60 * MS);
    assertThat(backends.completion(0, 0, 1.0)).as("the slow one").isEqualTo(15 * MS);
    assertThat(backends.completion(0, 0, 1.0)).isEqualTo(30 * MS);
    assertThat(b.newBackends().completion(1, 0, 1.0)).as("a fresh run").isEqualTo(10 * MS);
  }

  @Test
  void rejectsBadParameters() {
    assertThatThrownBy(() -> new QueueingScenario(Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration: PT0S (expected: > 0)");
    assertThatThrownBy(() -> new StuckBackendScenario(Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("seeds: 0 (expected: >= 1)");
  }
}
