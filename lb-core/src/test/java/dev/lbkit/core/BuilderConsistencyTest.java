package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.hashing.PlacementType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder fails at once, naming both sides, rather than building something surprising. */
class BuilderConsistencyTest {

  @Test
  void aRateItsTokenBucketCannotHoldFailsAtTheBuilderNotAtAddServer() {
    assertThatThrownBy(() -> LoadBalancer.builder(servers(1)).rateLimit(1e-300, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.0E-300");
  }

  @Test
  void optionsTheAlgorithmIgnoresAreRejectedNamingBoth() {
    assertThatThrownBy(
            () -> LoadBalancer.builder(servers(2)).placement(PlacementType.MAGLEV).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("placement: MAGLEV")
        .hasMessageContaining("ROUND_ROBIN")
        .hasMessageContaining("CONSISTENT_HASH");
    assertThatThrownBy(() -> LoadBalancer.builder(servers(2)).balanceFactor(1.25).build())
        .hasMessageContaining("balanceFactor: 1.25")
        .hasMessageContaining("CONSISTENT_HASH");
    assertThatThrownBy(
            () ->
                LoadBalancer.builder(servers(2))
                    .algorithm(Algorithm.LEAST_CONNECTIONS)
                    .choices(3)
                    .build())
        .hasMessageContaining("choices: 3")
        .hasMessageContaining("LEAST_CONNECTIONS")
        .hasMessageContaining("POWER_OF_TWO_CHOICES");
    assertThatThrownBy(
            () -> LoadBalancer.builder(servers(2)).peakEwmaDecay(Duration.ofSeconds(1)).build())
        .hasMessageContaining("peakEwmaDecay: PT1S")
        .hasMessageContaining("PEAK_EWMA");
  }

  @Test
  void stickyTogetherWithAnAffinityIsRejectedNamingBoth() {
    assertThatThrownBy(
            () ->
                LoadBalancer.builder(servers(2))
                    .sticky(true)
                    .affinity(
                        new SessionAffinity(SessionAffinity.Method.KEY, Duration.ofMinutes(1)))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sticky: true")
        .hasMessageContaining("affinity: KEY");
  }

  @Test
  void optionsTheAlgorithmUsesAreAccepted() {
    assertThatCode(
            () ->
                LoadBalancer.builder(servers(2))
                    .algorithm(Algorithm.CONSISTENT_HASH)
                    .placement(PlacementType.RENDEZVOUS)
                    .balanceFactor(1.25)
                    .build())
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                LoadBalancer.builder(servers(2))
                    .algorithm(Algorithm.POWER_OF_TWO_CHOICES)
                    .choices(3)
                    .build())
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                LoadBalancer.builder(servers(2))
                    .algorithm(Algorithm.PEAK_EWMA)
                    .peakEwmaDecay(Duration.ofSeconds(1))
                    .build())
        .doesNotThrowAnyException();
  }
}
