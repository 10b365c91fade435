package dev.lbkit.services.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {
  private final Options.Builder builder = Options.builder("demo", "DEMO_");
  private final Option<Integer> port = builder.intOption("port", 8080, 0, 65_535, "the port");
  private final Option<String> db =
      builder.stringOption("db", "URL", "jdbc:sqlite:x.db", "the database", s -> s);
  private final Option<String> secret =
      builder.optionalString("admin-token", "T", "the token", true, Tokens::check);
  private final Option<List<String>> tracks =
      builder.repeatable("track-token", "TRACK=T", "a track's token", true, s -> s);
  private final Option<Double> rate = builder.doubleOption("rate", 10, 0, 1000, "a rate");
  private final Options options = builder.build();

  @Test
  void defaultsWhenNothingIsGiven() {
    ParsedOptions parsed = options.parse(new String[0], Map.of());
    assertThat(parsed.get(port)).isEqualTo(8080);
    assertThat(parsed.get(db)).isEqualTo("jdbc:sqlite:x.db");
    assertThat(parsed.find(secret)).isEmpty();
    assertThat(parsed.get(tracks)).isEmpty();
    assertThat(parsed.get(rate)).isEqualTo(10.0);
  }

  @Test
  void flagsWinOverEnvironmentWhichWinsOverDefaults() {
    ParsedOptions parsed =
        options.parse(
            new String[] {"--port", "9090", "--track-token=a=x", "--track-token", "b=y"},
            Map.of("DEMO_PORT", "7070", "DEMO_DB", "jdbc:postgresql://h/db", "DEMO_RATE", "2.5"));
    assertThat(parsed.get(port)).isEqualTo(9090);
    assertThat(parsed.get(db)).isEqualTo("jdbc:postgresql://h/db");
    assertThat(parsed.get(tracks)).containsExactly("a=x", "b=y");
    assertThat(parsed.get(rate)).isEqualTo(2.5);
    assertThat(parsed.isGiven(port)).isTrue();
    assertThat(parsed.toString()).doesNotContain("a=x");
  }

  @Test
  void repeatableFromEnvironmentSplitsOnCommas() {
    ParsedOptions parsed = options.parse(new String[0], Map.of("DEMO_TRACK_TOKEN", "a=x, b=y"));
    assertThat(parsed.get(tracks)).containsExactly("a=x", "b=y");
  }

  @Test
  void badValuesAreOneLineNamingOptionAndValue() {
    assertThatThrownBy(() -> options.parse(new String[] {"--port", "abc"}, Map.of()))
        .isInstanceOf(Options.OptionsException.class)
        .hasMessage("demo: --port: 'abc' (expected: an integer in 0..65535)");
    assertThatThrownBy(() -> options.parse(new String[0], Map.of("DEMO_PORT", "70000")))
        .hasMessage("demo: DEMO_PORT: '70000' (expected: an integer in 0..65535)");
    assertThatThrownBy(() -> options.parse(new String[] {"--nope", "1"}, Map.of()))
        .hasMessage("demo: --nope: unknown option (see --help)");
    assertThatThrownBy(() -> options.parse(new String[] {"--port"}, Map.of()))
        .hasMessage("demo: --port: no value (expected: N)");
    assertThatThrownBy(() -> options.parse(new String[] {"--port", "1", "--port", "2"}, Map.of()))
        .hasMessage("demo: --port: given twice (expected: once)");
  }

  @Test
  void secretsAreNeverEchoed() {
    assertThatThrownBy(
            () -> options.parse(new String[] {"--admin-token", "short-secret"}, Map.of()))
        .hasMessageNotContaining("short-secret")
        .hasMessageContaining("--admin-token: (12 characters, hidden)");
  }

  @Test
  void usageListsEveryOptionWithItsVariableAndDefault() {
    String usage = options.usage();
    for (Option<?> option : options.options()) {
      assertThat(usage).contains(option.flag()).contains(option.envVar());
    }
    assertThat(usage).contains("default 8080");
  }

  @Test
  void serviceMainExitsWithTwoOnABadValueAndZeroOnHelp() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    ServiceMain.Starter never =
        parsed -> {
          throw new AssertionError("must not start");
        };
    assertThat(ServiceMain.start(options, new String[] {"--port", "x"}, Map.of(), never, o, e))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).trim())
        .isEqualTo("demo: --port: 'x' (expected: an integer in 0..65535)");
    assertThat(ServiceMain.start(options, new String[] {"--help"}, Map.of(), never, o, e))
        .isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--track-token");
  }
}
