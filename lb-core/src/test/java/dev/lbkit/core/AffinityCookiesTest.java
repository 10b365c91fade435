package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.internal.AffinityCookies;
import dev.lbkit.core.internal.AffinityKeys;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keyed cookie values and the stored form of long keys (dev.lbkit.core.internal). */
class AffinityCookiesTest {

  private static byte[] counting(int length) {
    byte[] secret = new byte[length];
    for (int i = 0; i < length; i++) {
      secret[i] = (byte) i;
    }
    return secret;
  }

  /** Golden vectors, computed independently (Python's hmac module) from the documented rule. */
  @Test
  void valuesAreTruncatedHmacSha256InBase64Url() {
    assertThat(new AffinityCookies(counting(32)).valueOf("10.0.0.1:8080"))
        .isEqualTo("t2s7q2JUEs_TkMji5eHCzg");
    assertThat(new AffinityCookies(counting(32)).valueOf("[::1]:80"))
        .isEqualTo("WCiT3E_s93IM9DbGpEWOUw");
    assertThat(new AffinityCookies(counting(16)).valueOf("10.0.0.1:8080"))
        .isEqualTo("W_FqmMxVMusX24xTqHO2hg")
        .hasSize(AffinityCookies.VALUE_LENGTH);
  }

  @Test
  void theSecretDecidesTheValues() {
    AffinityCookies one = new AffinityCookies(AffinityCookies.randomSecret());
    AffinityCookies other = new AffinityCookies(AffinityCookies.randomSecret());
    assertThat(one.valueOf("a:80")).isNotEqualTo(other.valueOf("a:80"));
    assertThat(one.valueOf("a:80"))
        .isEqualTo(one.valueOf("a:80"))
        .isNotEqualTo(one.valueOf("b:80"));
    assertThat(AffinityCookies.randomSecret())
        .hasSize(32)
        .isNotEqualTo(AffinityCookies.randomSecret());
  }

  @Test
  void theSecretIsCopiedAndMustHaveAtLeast16Bytes() {
    byte[] secret = counting(16);
    AffinityCookies cookies = new AffinityCookies(secret);
    secret[0] = 42;
    assertThat(cookies.valueOf("10.0.0.1:8080")).isEqualTo("W_FqmMxVMusX24xTqHO2hg");
    assertThatThrownBy(() -> new AffinityCookies(new byte[15]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("secret: 15 bytes (expected: >= 16)");
    assertThatThrownBy(() -> new AffinityCookies(new byte[0]))
        .hasMessage("secret: 0 bytes (expected: >= 16)");
    assertThatThrownBy(() -> new AffinityCookies(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("secret");
    assertThat(cookies.toString()).doesNotContain("0, 1, 2").contains(AffinityCookies.FORMAT);
  }

  @Test
  void matchesComparesWholeValues() {
    String value = new AffinityCookies(counting(16)).valueOf("a:80");
    assertThat(AffinityCookies.matches(new String(value.toCharArray()), value)).isTrue();
    assertThat(AffinityCookies.matches(null, value)).isFalse();
    assertThat(AffinityCookies.matches("", value)).isFalse();
    assertThat(AffinityCookies.matches(value.substring(1), value)).isFalse();
    assertThat(AffinityCookies.matches(value + "x", value)).isFalse();
    assertThat(AffinityCookies.matches("x" + value.substring(1), value)).isFalse();
    assertThatThrownBy(() -> AffinityCookies.matches("x", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("expected");
  }

  @Test
  void tokensFindTheirServerInATableAndNothingElseDoes() {
    AffinityCookies cookies = new AffinityCookies(counting(16));
    Map<AffinityCookies.Token, String> byCookie = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      byCookie.put(cookies.tokenOf("10.0.0." + i + ":80"), "s" + i);
    }
    for (int i = 0; i < 100; i++) {
      String sent = new String(cookies.valueOf("10.0.0." + i + ":80").toCharArray());
      assertThat(byCookie.get(cookies.parse(sent))).isEqualTo("s" + i);
    }
    assertThat(cookies.parse(null)).isNull();
    assertThat(cookies.parse("short")).isNull();
    assertThat(cookies.parse("x".repeat(1_000))).isNull();
    assertThat(byCookie.get(cookies.parse("A".repeat(AffinityCookies.VALUE_LENGTH)))).isNull();
    // Same value, another instance: a different table key (its hash is keyed by that instance).
    AffinityCookies twin = new AffinityCookies(counting(16));
    assertThat(twin.valueOf("10.0.0.1:80")).isEqualTo(cookies.valueOf("10.0.0.1:80"));
    assertThat(twin.tokenOf("10.0.0.1:80")).isNotEqualTo(cookies.tokenOf("10.0.0.1:80"));
    assertThat(cookies.tokenOf("10.0.0.1:80"))
        .isEqualTo(cookies.parse(cookies.valueOf("10.0.0.1:80")))
        .hasSameHashCodeAs(cookies.parse(cookies.valueOf("10.0.0.1:80")))
        .hasToString("Token[22 chars]");
  }

  @Test
  void valuesStayRightPastTheCache() {
    AffinityCookies cookies = new AffinityCookies(counting(16));
    String first = cookies.valueOf("10.0.0.1:8080");
    for (int i = 0; i < AffinityCookies.CACHE_LIMIT + 10; i++) {
      cookies.valueOf("host-" + i + ":80");
    }
    assertThat(cookies.valueOf("10.0.0.1:8080"))
        .isEqualTo(first)
        .isEqualTo("W_FqmMxVMusX24xTqHO2hg");
  }

  @Test
  void longKeysAreStoredAsDigestsShortOnesAsThemselves() {
    AffinityKeys keys = new AffinityKeys();
    String atLimit = "k".repeat(AffinityKeys.MAX_KEY_LENGTH);
    assertThat(keys.storedKey(atLimit)).isSameAs(atLimit);
    Object digest = keys.storedKey(atLimit + "k");
    assertThat(digest).isInstanceOf(AffinityKeys.Digest.class);
    assertThat(keys.storedKey(new String((atLimit + "k").toCharArray()))).isEqualTo(digest);
    assertThat(keys.storedKey(atLimit + "j")).isNotEqualTo(digest);
    // Characters past the first byte count too, and every chunk of the buffer.
    String wide = "\u4e00".repeat(1_000);
    assertThat(keys.storedKey(wide)).isNotEqualTo(keys.storedKey("\u4e01" + wide.substring(1)));
    assertThat(keys.storedKey(wide)).isNotEqualTo(keys.storedKey(wide.substring(1) + "\u4e01"));
    assertThat(new AffinityKeys().storedKey(atLimit + "k")).isNotEqualTo(digest);
    assertThatThrownBy(() -> keys.storedKey(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }
}
