package dev.lbkit.services.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.services.kit.Options;
import dev.lbkit.services.kit.ParsedOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterMainTest {

  private static ParsedOptions parse(String... args) {
    return RouterMain.OPTIONS.parse(RouterMain.expandRunners(args), Map.of());
  }

  @Test
  void theSeedsCommandLineParses() {
    ParsedOptions options =
        parse(
            "--runners",
            "https://runner1.com",
            "https://runner2.com",
            "--port",
            "8080",
            "--cache-dir",
            "./lb_cache",
            "--cache-ttl-days",
            "7",
            "--health-check-interval",
            "30",
            "--log-level",
            "INFO");
    assertThat(options.get(RouterMain.RUNNERS))
        .containsExactly("https://runner1.com", "https://runner2.com");
    assertThat(options.get(RouterMain.PORT)).isEqualTo(8080);
    assertThat(options.get(RouterMain.CACHE_TTL_DAYS)).isEqualTo(7);
    assertThat(options.get(RouterMain.LOG_LEVEL)).isEqualTo("INFO");
  }

  @Test
  void runnersMayAlsoBeRepeatedOrCommaSeparatedAndDefaultsAreTheSeeds() {
    ParsedOptions options = parse("--runners", "http://a:1,http://b:2", "--runners=http://c:3");
    assertThat(options.get(RouterMain.RUNNERS))
        .containsExactly("http://a:1", "http://b:2", "http://c:3");
    assertThat(options.get(RouterMain.PORT)).isEqualTo(8080);
    assertThat(options.get(RouterMain.CACHE_DIR)).isEqualTo("./lb_cache");
    assertThat(options.get(RouterMain.CACHE_TTL_DAYS)).isEqualTo(7);
    assertThat(options.get(RouterMain.HEALTH_CHECK_INTERVAL)).isEqualTo(30);
    assertThat(RouterMain.OPTIONS.options())
        .extracting(o -> o.name())
        .containsExactly(
            "runners", "port", "cache-dir", "cache-ttl-days", "health-check-interval", "log-level");
  }

  @Test
  void badValuesNameTheOption() {
    assertThatThrownBy(() -> parse("--runners", "ftp://x"))
        .isInstanceOf(Options.OptionsException.class)
        .hasMessage(
            "runner-router: --runners: 'ftp://x' (expected: an http:// or https:// URL with a"
                + " host)");
    assertThatThrownBy(() -> parse("--runners", "http://a:1", "--log-level", "LOUD"))
        .hasMessage("runner-router: --log-level: 'LOUD' (expected: DEBUG, INFO, WARNING or ERROR)");
    assertThatThrownBy(() -> parse("--runners"))
        .hasMessage("runner-router: --runners: no value (expected: URL...)");
    assertThat(List.of(RouterMain.expandRunners(new String[] {"--port", "1"})))
        .containsExactly("--port", "1");
  }
}
