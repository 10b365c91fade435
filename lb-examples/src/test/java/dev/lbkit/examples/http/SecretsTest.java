package dev.lbkit.examples.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretsTest {

  private final Secrets keys = Secrets.of("apiKeys", List.of("lb-dev-key-12345", "production-key"));

  @Test
  void containsExactlyTheSecrets() {
    assertThat(keys.contains("lb-dev-key-12345")).isTrue();
    assertThat(keys.contains("production-key")).isTrue();
    assertThat(keys.contains("lb-dev-key-1234")).isFalse(); // a prefix
    assertThat(keys.contains("lb-dev-key-123456")).isFalse(); // an extension
    assertThat(keys.contains("LB-DEV-KEY-12345")).isFalse();
    assertThat(keys.contains("")).isFalse();
    assertThat(keys.contains(null)).isFalse();
  }

  @Test
  void neverShowsASecret() {
    assertThat(keys.toString()).isEqualTo("Secrets{2 digest(s)}");
    assertThatThrownBy(() -> Secrets.of("tokens", List.of("good-key", " ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokens[1]: blank (expected: not blank)")
        .hasMessageNotContaining("good-key");
    assertThatThrownBy(() -> Secrets.of("tokens", List.of()))
        .hasMessage("tokens: none (expected: at least one)");
  }
}
