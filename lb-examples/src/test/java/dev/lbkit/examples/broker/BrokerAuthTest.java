package dev.lbkit.examples.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.examples.broker.BrokerAuth.Caller;
import dev.lbkit.examples.broker.BrokerAuth.Role;
import org.junit.jupiter.api.Test;

class BrokerAuthTest {

  private static final String ADMIN = "admin-6Qh2Vd9LkTz3Wm8Ns4Rb";
  private static final String TRACK = "track-a-Xr7Jp2Ce9Gy4Fk1Mv5";

  private final BrokerAuth auth =
      BrokerAuth.builder().adminToken(ADMIN).trackToken("track-a", TRACK).build();

  @Test
  void aTokenIdentifiesItsCaller() {
    assertThat(auth.authenticate("Bearer " + ADMIN)).hasValue(new Caller(Role.ADMIN, null));
    assertThat(auth.authenticate("Bearer " + TRACK)).hasValue(new Caller(Role.TRACK, "track-a"));
    assertThat(auth.authenticate("BEARER " + TRACK)).hasValue(new Caller(Role.TRACK, "track-a"));
  }

  @Test
  void anythingElseIdentifiesNoOne() {
    assertThat(auth.authenticate(null)).isEmpty();
    assertThat(auth.authenticate("")).isEmpty();
    assertThat(auth.authenticate("Bearer")).isEmpty();
    assertThat(auth.authenticate("Bearer  ")).isEmpty();
    assertThat(auth.authenticate(ADMIN)).isEmpty();
    assertThat(auth.authenticate("Basic " + ADMIN)).isEmpty();
    assertThat(auth.authenticate("Bearer " + ADMIN + "a")).isEmpty();
    assertThat(auth.authenticate("Bearer " + ADMIN.substring(1))).isEmpty();
    assertThat(auth.authenticate("Bearer " + "x".repeat(100_000))).isEmpty();
  }

  @Test
  void badTokensAreRefusedWithoutQuotingThem() {
    String shortToken = "s3cr3t-but-short";
    assertThatThrownBy(() -> BrokerAuth.builder().adminToken(shortToken))
        .hasMessage("adminToken: 16 characters (expected: 22 to 512)")
        .message()
        .doesNotContain(shortToken);
    assertThatThrownBy(() -> BrokerAuth.builder().adminToken("with space 0123456789abcdef"))
        .hasMessage(
            "adminToken: has a character outside [A-Za-z0-9-._~+/] (expected: a bearer token)");
    assertThatThrownBy(() -> BrokerAuth.builder().adminToken(ADMIN).trackToken("track-b", ADMIN))
        .hasMessage("trackToken of track-b: the same token as the admin (expected: distinct)");
    assertThatThrownBy(() -> BrokerAuth.builder().adminToken(ADMIN).adminToken(TRACK))
        .hasMessage("adminToken: set twice (expected: one admin token)");
    assertThatThrownBy(() -> BrokerAuth.builder().trackToken("track b", TRACK))
        .hasMessage("trackId: 'track b' (expected: 1 to 64 of [A-Za-z0-9._-])");
    assertThatThrownBy(() -> BrokerAuth.builder().trackToken("track-b", TRACK).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no admin token (expected: adminToken(...) before build())");
  }

  @Test
  void toStringCountsTokensAndShowsNone() {
    assertThat(auth).hasToString("BrokerAuth{1 admin token, 1 track token}");
  }
}
