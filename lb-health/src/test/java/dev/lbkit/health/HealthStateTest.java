package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HealthStateTest {

  /**
   * Feeds {@code probes} ('+' passed, '-' failed) and returns the health after each, as 'H'/'u'.
   */
  private static String trace(HealthState start, Thresholds thresholds, String probes) {
    StringBuilder trace = new StringBuilder();
    HealthState state = start;
    for (int i = 0; i < probes.length(); i++) {
      state = state.after(probes.charAt(i) == '+', thresholds);
      trace.append(state.healthy() ? 'H' : 'u');
    }
    return trace.toString();
  }

  @Test
  void needsThreeConsecutiveFailuresToFallAndTwoPassesToRecover() {
    // The seed: HealthChecker(unhealthy_threshold=3) needs 3 consecutive failures.
    assertThat(trace(HealthState.HEALTHY, Thresholds.DEFAULT, "--+---++-+++"))
        .isEqualTo("HHHHHuuHHHHH");
  }

  @Test
  void oneFailureAmongSuccessesDoesNotFlap() {
    assertThat(trace(HealthState.HEALTHY, Thresholds.DEFAULT, "+-+-+--+--+-"))
        .isEqualTo("HHHHHHHHHHHH");
  }

  @Test
  void thresholdsOfOneFlipAtOnce() {
    assertThat(trace(HealthState.HEALTHY, new Thresholds(1, 1), "-+-+")).isEqualTo("uHuH");
  }

  @Test
  void startsUnhealthyWhenToldTo() {
    assertThat(trace(HealthState.UNHEALTHY, Thresholds.DEFAULT, "+-++")).isEqualTo("uuuH");
  }

  @Test
  void reportsFlips() {
    HealthState falling = new HealthState(true, 2);
    HealthState fallen = falling.after(false, Thresholds.DEFAULT);
    assertThat(falling.flipsTo(fallen)).isTrue();
    assertThat(fallen.flipsTo(fallen.after(false, Thresholds.DEFAULT))).isFalse();
  }

  @Test
  void rejectsBadThresholds() {
    assertThatThrownBy(() -> new Thresholds(0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("healthyThreshold: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new Thresholds(2, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unhealthyThreshold: -1 (expected: >= 1)");
    assertThatThrownBy(() -> new HealthState(true, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("streak: -1 (expected: >= 0)");
  }

  /**
   * Against a direct reading of the rule: health flips exactly when the last {@code threshold}
   * probes all contradict it, counting only probes since the previous flip.
   */
  @Property(tries = 500)
  void flipsExactlyAfterThresholdConsecutiveContraryProbes(
      @ForAll @Size(max = 60) List<Boolean> probes,
      @ForAll @IntRange(min = 1, max = 5) int healthyThreshold,
      @ForAll @IntRange(min = 1, max = 5) int unhealthyThreshold) {
    Thresholds thresholds = new Thresholds(healthyThreshold, unhealthyThreshold);
    HealthState state = HealthState.HEALTHY;
    boolean expected = true;
    List<Boolean> sinceFlip = new ArrayList<>();
    for (boolean passed : probes) {
      state = state.after(passed, thresholds);
      sinceFlip.add(passed);
      int needed = expected ? unhealthyThreshold : healthyThreshold;
      int n = sinceFlip.size();
      // a probe contradicts the health when passed != healthy: none of the last `needed` agree
      if (n >= needed && !sinceFlip.subList(n - needed, n).contains(expected)) {
        expected = !expected;
        sinceFlip.clear();
      }
      assertThat(state.healthy()).isEqualTo(expected);
      assertThat(state.streak()).isLessThan(needed);
    }
  }
}
