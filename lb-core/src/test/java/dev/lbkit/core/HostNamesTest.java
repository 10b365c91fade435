package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.internal.HostNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The normal form of a server's host, which its identity is built from. */
class HostNamesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Ordinary hosts keep their ids: golden vectors elsewhere depend on them.
        "10.0.0.1                                | 10.0.0.1",
        "a                                       | a",
        "0.0.0.0                                 | 0.0.0.0",
        "255.255.255.255                         | 255.255.255.255",
        "api.example.com                         | api.example.com",
        "my_service-1.internal                   | my_service-1.internal",
        "xn--bcher-kva.example                   | xn--bcher-kva.example",
        // An internationalised name: its ASCII form, the one a resolver is asked for.
        "b\u00fccher.example                      | xn--bcher-kva.example",
        "B\u00dcCHER.Example                      | xn--bcher-kva.example",
        "h\u00e9llo.example                       | xn--hllo-bpa.example",
        "b\u00fccher\u3002example                 | xn--bcher-kva.example",
        "\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com | example.com",
        "localhost                               | localhost",
        "1a.example                              | 1a.example",
        "10.0.0.1a                               | 10.0.0.1a",
        // DNS names are case-insensitive.
        "Api.Example.COM                         | api.example.com",
        "LOCALHOST                               | localhost",
        // An absolute name keeps its trailing dot.
        "example.com.                            | example.com.",
        // IPv6: RFC 5952 text, without brackets.
        "::1                                     | ::1",
        "0:0:0:0:0:0:0:1                         | ::1",
        "0000:0000:0000:0000:0000:0000:0000:0001 | ::1",
        "[::1]                                   | ::1",
        "[0:0:0:0:0:0:0:1]                       | ::1",
        "::                                      | ::",
        "0:0:0:0:0:0:0:0                         | ::",
        "1::                                     | 1::",
        "2001:DB8::1                             | 2001:db8::1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329 | 2001:db8::ff00:42:8329",
        "2001:db8::0001                          | 2001:db8::1",
        "2001:db8:0:0:1:0:0:1                    | 2001:db8::1:0:0:1",
        "1:0:0:1:0:0:0:1                         | 1:0:0:1::1",
        "2001:db8:0:1:1:1:1:1                    | 2001:db8:0:1:1:1:1:1",
        "2001:db8::1:1:1:1:1                     | 2001:db8:0:1:1:1:1:1",
        "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff  | 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff",
        "[2001:DB8:0:0:0:0:0:1]                  | 2001:db8::1",
        // IPv4-mapped: the IPv4 address a dual-stack socket connects to.
        "::ffff:10.0.0.1                         | 10.0.0.1",
        "::FFFF:0a00:0001                        | 10.0.0.1",
        "0:0:0:0:0:ffff:10.0.0.1                 | 10.0.0.1",
        "[::ffff:10.0.0.1]                       | 10.0.0.1",
        // Other embedded IPv4 forms are plain IPv6 addresses, in hex.
        "::10.0.0.1                              | ::a00:1",
        "64:ff9b::192.0.2.33                     | 64:ff9b::c000:221",
        // A zone id is kept, verbatim: interface names are case-sensitive.
        "fe80::1%eth0                            | fe80::1%eth0",
        "FE80:0:0:0:0:0:0:1%eth0                 | fe80::1%eth0",
        "[fe80::1%eth0]                          | fe80::1%eth0",
        "fe80::1%ETH0                            | fe80::1%ETH0",
        "fe80::1%3                               | fe80::1%3",
        "::ffff:10.0.0.1%eth0                    | ::ffff:10.0.0.1%eth0",
      })
  void normalizes(String host, String normal) {
    assertThat(HostNames.normalize(host)).isEqualTo(normal);
    Server server = new Server(host, 8080);
    assertThat(server.host()).isEqualTo(normal);
    assertThat(server.id())
        .isEqualTo(normal.indexOf(':') >= 0 ? "[" + normal + "]:8080" : normal + ":8080");
    assertThat(HostNames.normalize(normal)).as("idempotent").isEqualTo(normal);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // A port in the host.
        "10.0.0.1:8080",
        "a:8080",
        "example.com:443",
        "[::1]:80",
        "[fe80::1%eth0]:80",
        // Not an IPv4 address, though it looks like one (resolvers read some in octal or as one
        // 32-bit number).
        "10.0.0.01",
        "010.0.0.1",
        "127.1",
        "2130706433",
        "256.0.0.1",
        "1.2.3.4.5",
        "1.2.3.4.",
        "1..2.3",
        "0x7f.0.0.1",
        // Not a DNS name.
        ".",
        "..",
        ".a",
        "a..b",
        "a/b",
        "user@host",
        "http://a",
        "a%b",
        "*.example",
        "b\u00fccher..example",
        "\u00fc/x.example",
        "a\\b",
        "'a'",
        // Not an IPv6 literal.
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4::5:6:7:8",
        "::1::",
        ":::1",
        "1::2::3",
        "1::2:",
        ":1::",
        "12345::",
        "g::1",
        "::ffff:010.0.0.1",
        "::ffff:1.2.3",
        "::ffff:1.2.3.256",
        "1.2.3.4::",
        "::1.2.3.4:1",
        "::\uff11",
        "fe80::1%",
        "fe80::1%eth/0",
        "fe80::1%eth0%1",
        "[::1",
        "::1]",
        "[]",
        "[10.0.0.1]",
        "[a]",
        "[[::1]]",
      })
  void rejects(String host) {
    assertThatThrownBy(() -> new Server(host, 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("host: '")
        .hasMessageContaining("(expected: ");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"a b", " a", "a ", "a\tb", "a\r\nb", "a\u0000", "a\u007f", "a\u0085", "a\u00a0b"})
  void rejectsWhitespaceAndControlCharacters(String host) {
    assertThatThrownBy(() -> new Server(host, 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("host: '")
        .hasMessageEndingWith("(expected: no whitespace or control characters)")
        .hasMessageNotContainingAny("\r", "\n", "\t", "\u0000", "\u007f", "\u0085", "\u00a0");
  }

  @Test
  void messagesEscapeControlCharacters() {
    assertThatThrownBy(() -> new Server("evil\r\nX-Injected: 1", 80))
        .hasMessage(
            "host: 'evil\\r\\nX-Injected: 1' (expected: no whitespace or control characters)");
    assertThatThrownBy(() -> new Server("10.0.0.1:8080", 80))
        .hasMessage(
            "host: '10.0.0.1:8080' (expected: no port (it is a separate argument); an IPv6"
                + " literal, bare or in brackets)");
  }

  @Test
  void messagesStayShortWhateverTheHost() {
    String huge = "a".repeat(10_000_000);
    assertThatThrownBy(() -> new Server(huge, 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("host: 'aaaa")
        .hasMessageContaining("... (10000000 chars)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(200));
    String escaped = "\u0001".repeat(1_000);
    assertThatThrownBy(() -> new Server(escaped, 80))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(200));
    String longLiteral = "[" + "1:".repeat(5_000) + "]:80";
    assertThatThrownBy(() -> new Server(longLiteral, 80))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(200));
  }

  @Test
  void boundsNameAndLabelLengths() {
    String label63 = "a".repeat(63);
    assertThat(new Server(label63 + ".example", 80).host()).isEqualTo(label63 + ".example");
    assertThatThrownBy(() -> new Server("a".repeat(64) + ".example", 80))
        .hasMessageEndingWith("(expected: labels of at most 63 characters)");
    String name253 = (label63 + ".").repeat(3) + "a".repeat(61);
    assertThat(name253).hasSize(253);
    assertThat(new Server(name253, 80).host()).isEqualTo(name253);
    assertThat(new Server(name253 + ".", 80).host()).isEqualTo(name253 + ".");
    assertThatThrownBy(() -> new Server(name253 + "a", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("253 characters");
  }

  @Test
  void oneHostSpelledTwoWaysIsOneServer() {
    assertThat(new Server("::1", 80)).isEqualTo(new Server("0:0:0:0:0:0:0:1", 80));
    assertThat(new Server("[::1]", 80)).isEqualTo(new Server("0::1", 80));
    assertThat(new Server("Api.Example.com", 80)).isEqualTo(new Server("api.example.COM", 80));
    assertThat(new Server("::ffff:10.0.0.1", 80)).isEqualTo(new Server("10.0.0.1", 80));
    assertThat(new Server("fe80::1%eth0", 80)).isNotEqualTo(new Server("fe80::1%eth1", 80));
    assertThat(new Server("fe80::1%eth0", 80)).isNotEqualTo(new Server("fe80::1", 80));
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> HostNames.normalize(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("host");
  }
}
