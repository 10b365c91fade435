package dev.lbkit.services.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void generatedTokensAreDistinctAndAcceptable() {
    String a = Tokens.generate();
    String b = Tokens.generate();
    assertThat(a).isNotEqualTo(b).hasSize(43);
    assertThat(Tokens.check(a)).isEqualTo(a);
  }

  @Test
  void matchesOnlyTheTokenOfTheStoredDigest() {
    String token = Tokens.generate();
    String stored = Tokens.sha256Hex(token);
    assertThat(stored).hasSize(64).doesNotContain(token);
    assertThat(Tokens.matches(token, stored)).isTrue();
    assertThat(Tokens.matches(token + "x", stored)).isFalse();
    assertThat(Tokens.matches(null, stored)).isFalse();
    assertThat(Tokens.matches(token, "not hex")).isFalse();
  }

  @Test
  void bearerReadsTheAuthorizationHeader() {
    assertThat(Tokens.bearer("Bearer abc")).isEqualTo("abc");
    assertThat(Tokens.bearer("bearer  abc ")).isEqualTo("abc");
    assertThat(Tokens.bearer("Basic abc")).isNull();
    assertThat(Tokens.bearer(null)).isNull();
    assertThat(Tokens.bearer("Bearer ")).isNull();
  }

  @Test
  void checkDescribesWithoutQuoting() {
    assertThatThrownBy(() -> Tokens.check("tiny")).hasMessageNotContaining("tiny");
    assertThatThrownBy(() -> Tokens.check("a".repeat(30) + " ")).hasMessageNotContaining("aaaa");
  }
}
