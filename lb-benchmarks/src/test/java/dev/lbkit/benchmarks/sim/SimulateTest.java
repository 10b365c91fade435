package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line: its output contract, help and refusals. */
class SimulateTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Simulate.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void supermarketPrintsMeanAndP99SojournAsItsLastLine() {
    String[] args = {
      "supermarket",
      "--servers",
      "50",
      "--lambda",
      "0.5",
      "--choices",
      "2",
      "--seconds",
      "200",
      "--seed",
      "3"
    };
    assertThat(run(args)).isZero();
    List<String> lines = out().strip().lines().toList();
    assertThat(lines.get(lines.size() - 1)).matches("mean_sojourn=[0-9.]+ p99_sojourn=[0-9.]+");
    String first = out();
    out.reset();
    assertThat(run(args)).isZero();
    assertThat(out()).as("deterministic").isEqualTo(first);
  }

  @Test
  void joinTheShortestQueueIsChoicesAll() {
    assertThat(
            run(
                "supermarket",
                "--servers",
                "20",
                "--lambda",
                "0.5",
                "--choices",
                "all",
                "--seconds",
                "100"))
        .isZero();
    assertThat(out()).contains("choices=all");
  }

  @Test
  void badOptionsAreNamedWithTheirValue() {
    assertThat(run("supermarket", "--lambda", "1.5")).isEqualTo(2);
    assertThat(err()).contains("--lambda: 1.5 (expected: a number in (0, 1))");
    err.reset();
    assertThat(run("supermarket", "--choices", "two")).isEqualTo(2);
    assertThat(err()).contains("--choices: two (expected: an integer in [1, ");
    err.reset();
    assertThat(run("supermarket", "--servrs", "10")).isEqualTo(2);
    assertThat(err()).contains("unknown option: --servrs");
    err.reset();
    assertThat(run("supermarket", "--seconds")).isEqualTo(2);
    assertThat(err()).contains("--seconds: no value");
    err.reset();
    assertThat(run("supermarket", "--seconds", "10", "--warmup", "20")).isEqualTo(2);
    assertThat(err()).contains("--warmup: 20.0 (expected: less than --seconds)");
    err.reset();
    assertThat(run("F")).isEqualTo(2);
    assertThat(err()).contains("scenario: F (expected one of: supermarket");
    assertThat(out()).isEmpty();
  }

  @Test
  void helpListsTheScenarios() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("supermarket", "--choices D|all", "validate", "A B C D E");
    assertThat(run()).isEqualTo(2);
  }
}
