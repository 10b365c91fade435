package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestTest {

  @Test
  void carriesWhatItWasBuiltWith() {
    Request r =
        Request.builder()
            .clientIp("1.2.3.4")
            .path("/api")
            .method("GET")
            .header("X-Api-Key", "secret")
            .cookie("c", "v")
            .key("job-1")
            .build();
    assertThat(r.clientIp()).isEqualTo("1.2.3.4");
    assertThat(r.path()).isEqualTo("/api");
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.key()).isEqualTo("job-1");
    assertThat(r.header("x-api-key")).isEqualTo("secret");
    assertThat(r.header("X-API-KEY")).isEqualTo("secret");
    assertThat(r.cookie("c")).isEqualTo("v");
    assertThat(r.cookie("C")).isNull();
  }

  @Test
  void toStringNeverShowsHeaderOrCookieValues() {
    Request r =
        Request.builder().header("Authorization", "Bearer s3cret").cookie("sid", "t0ken").build();
    assertThat(r.toString()).doesNotContain("s3cret", "t0ken").contains("authorization", "sid");
  }

  @Test
  void emptyCarriesNothing() {
    Request r = Request.empty();
    assertThat(r.clientIp()).isNull();
    assertThat(r.key()).isNull();
    assertThat(r.headers()).isEmpty();
  }

  @Test
  void isImmutable() {
    Request r = Request.builder().header("a", "1").build();
    assertThatThrownBy(() -> r.headers().put("b", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> Request.builder().clientIp(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clientIp: ' ' (expected: not blank)");
    assertThatThrownBy(() -> Request.builder().clientIp(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clientIp");
    assertThatThrownBy(() -> Request.builder().header("", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: '' (expected: not blank)");
    assertThatThrownBy(() -> Request.builder().cookie("c", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThatThrownBy(() -> Request.builder().key(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }
}
