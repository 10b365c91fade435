package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments to the embedding API fail at once, naming the argument (and the value, for an
 * {@code IllegalArgumentException}); the limit setters are covered in {@link RuntimeLimitsTest}.
 */
class EmbeddingBadInputTest {

  private final LoadBalancer lb = LoadBalancer.builder(servers(1)).build();

  @Test
  void executeAsyncRejectsNulls() {
    assertThatThrownBy(() -> lb.executeAsync(null, s -> CompletableFuture.completedFuture(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> lb.executeAsync(path("/x"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call");
  }

  @Test
  void theBuilderRejectsANullRetryRule() {
    assertThatThrownBy(() -> LoadBalancer.builder(servers(1)).retryRule(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retryRule");
  }

  @Test
  void aRefusalNeedsAReason() {
    assertThatThrownBy(() -> new NoServerAvailableException("x", null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("refusal");
  }

  @Test
  void strictAffinityRejectsNullsAndBadTtls() {
    assertThatThrownBy(() -> SessionAffinity.strict(SessionAffinity.Method.IP, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ttl");
    assertThatThrownBy(
            () -> SessionAffinity.strict(SessionAffinity.Method.IP, Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl: PT-0.000000001S (expected: > 0)");
  }
}
