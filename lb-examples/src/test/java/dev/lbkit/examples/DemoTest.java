package dev.lbkit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo as the README does, in a JVM of its own and in its short mode, and checks that it
 * exits by itself with status 0 and that what it printed makes sense: every request answered,
 * shares as each algorithm promises, and in the failover part the killed backend routed nothing
 * while it was marked down, the others absorbing its share, and taking its share again once back.
 */
class DemoTest {

  @TempDir static Path dir;
  private static String out;

  @BeforeAll
  static void runTheShortDemo() throws Exception {
    File log = dir.resolve("demo.txt").toFile();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process demo =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), Demo.class.getName(), "--short")
            .redirectErrorStream(true)
            .redirectOutput(log)
            .start();
    boolean exited = demo.waitFor(120, TimeUnit.SECONDS); // a bound on a hang, not a speed check
    if (!exited) {
      demo.destroyForcibly();
    }
    out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    assertThat(exited).as("the demo exits by itself; it printed:%n%s", out).isTrue();
    assertThat(demo.exitValue()).as("exit status; it printed:%n%s", out).isZero();
  }

  /** Returns every match of {@code regex} in the output, each as its groups. */
  private static List<String[]> all(String regex) {
    List<String[]> found = new ArrayList<>();
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(out);
    while (m.find()) {
      String[] groups = new String[m.groupCount() + 1];
      for (int i = 0; i <= m.groupCount(); i++) {
        groups[i] = m.group(i);
      }
      found.add(groups);
    }
    return found;
  }

  private static String[] one(String regex) {
    List<String[]> found = all(regex);
    assertThat(found).as("/%s/ once in:%n%s", regex, out).hasSize(1);
    return found.get(0);
  }

  private static long number(String[] groups, int group) {
    return Long.parseLong(groups[group]);
  }

  /** The part of the output that {@code algorithm}'s run printed. */
  private static String section(String algorithm) {
    int start = out.indexOf("\n" + algorithm + ": ");
    assertThat(start).as(algorithm + " in:%n%s", out).isPositive();
    int end = out.indexOf("\n\n", start + 1);
    return out.substring(start, end < 0 ? out.length() : end);
  }

  /**
   * A column of a part-1 table (no {@code +new} column), by backend name: 1 for requests, 2 for
   * active, 3 for errors.
   */
  private static long column(String section, String backend, int column) {
    Matcher m =
        Pattern.compile(
                "^  " + backend + "\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+\\d+%\\s+(\\d+)\\s+(\\d+) ",
                Pattern.MULTILINE)
            .matcher(section);
    assertThat(m.find()).as(backend + " in:%n%s", section).isTrue();
    return Long.parseLong(m.group(column));
  }

  /** The requests column of a section's table, backend-1 to backend-4. */
  private static long[] backends(String section) {
    return columnOfEach(section, 1);
  }

  private static long[] columnOfEach(String section, int column) {
    long[] n = new long[4];
    for (int i = 0; i < 4; i++) {
      n[i] = column(section, "backend-" + (i + 1), column);
    }
    return n;
  }

  private static boolean healthChangedDuringBalancing() {
    int part2 = out.indexOf("== 2.");
    return out.substring(0, part2).contains("health check:");
  }

  @Test
  void everyAlgorithmAnsweredEveryRequest() {
    for (String algorithm :
        List.of(
            "ROUND_ROBIN",
            "WEIGHTED_ROUND_ROBIN",
            "LEAST_CONNECTIONS",
            "RANDOM",
            "POWER_OF_TWO_CHOICES",
            "LEAST_LOADED",
            "CONSISTENT_HASH",
            "PEAK_EWMA")) {
      String section = section(algorithm);
      Matcher m =
          Pattern.compile("(\\d+) requests sent, (\\d+) answered, (\\d+) failed").matcher(section);
      assertThat(m.find()).as(section).isTrue();
      long sent = Long.parseLong(m.group(1));
      assertThat(sent).as(algorithm).isPositive();
      assertThat(Long.parseLong(m.group(2))).as(algorithm + " answered").isEqualTo(sent);
      assertThat(Long.parseLong(m.group(3))).as(algorithm + " failed").isZero();
      // One successful lease per answered request; a call that failed (a timeout on a busy
      // machine) was retried on another backend, one more lease, counted as an error.
      long leases = java.util.Arrays.stream(backends(section)).sum();
      long errors = java.util.Arrays.stream(columnOfEach(section, 3)).sum();
      assertThat(leases - errors)
          .as(algorithm + ": one successful lease per request")
          .isEqualTo(sent);
    }
  }

  @Test
  void roundRobinAndWeightedRoundRobinKeepTheirShares() {
    if (healthChangedDuringBalancing()) {
      return; // a backend left rotation for a while: the shares are not the algorithm's alone
    }
    long[] rr = backends(section("ROUND_ROBIN"));
    assertThat(max(rr) - min(rr)).as("round robin: equal turns").isLessThanOrEqualTo(1);
    long[] wrr = backends(section("WEIGHTED_ROUND_ROBIN"));
    long total = wrr[0] + wrr[1] + wrr[2] + wrr[3];
    assertThat(Math.abs(6 * wrr[0] - 3 * total))
        .as("weight 3 of 6: half")
        .isLessThanOrEqualTo(6 * 3);
    for (int i = 1; i < 4; i++) {
      assertThat(Math.abs(6 * wrr[i] - total)).as("weight 1 of 6").isLessThanOrEqualTo(6 * 2);
    }
  }

  private static long max(long[] values) {
    return java.util.Arrays.stream(values).max().orElseThrow();
  }

  private static long min(long[] values) {
    return java.util.Arrays.stream(values).min().orElseThrow();
  }

  @Test
  void consistentHashingKeptEveryKeyOnOneBackend() {
    if (healthChangedDuringBalancing()) {
      return; // a backend left the ring for a while: its keys moved, as they should
    }
    String[] keys = one("(\\d+) keys seen, (\\d+) of them always answered by one and the same");
    assertThat(number(keys, 1)).isPositive();
    assertThat(number(keys, 2)).isEqualTo(number(keys, 1));
  }

  @Test
  void theFailoverAnsweredEveryRequestAndTheKilledBackendGotNothingWhileDown() {
    String[] requests = one("^  requests: (\\d+) sent, (\\d+) answered, (\\d+) failed$");
    assertThat(number(requests, 1)).isPositive();
    assertThat(number(requests, 2)).as("answered").isEqualTo(number(requests, 1));
    assertThat(number(requests, 3)).as("failed").isZero();

    one("^  backend-2 marked DOWN [\\d.]+ s after the kill, UP [\\d.]+ s after the restart$");
    assertThat(number(one("^  routed to backend-2 while it was marked DOWN: (\\d+)$"), 1)).isZero();
    String[] others =
        one(
            "^  taken by the others meanwhile: backend-1 (\\d+), backend-3 (\\d+), backend-4 (\\d+)$");
    for (int i = 1; i <= 3; i++) {
      assertThat(number(others, i)).as("absorbed by the others").isPositive();
    }
    assertThat(number(one("^  routed to backend-2 after it came back: (\\d+)$"), 1))
        .as("back in rotation")
        .isPositive();
  }

  @Test
  void theEventsCameInOrder() {
    int kill = out.indexOf("KILL backend-2");
    int down = out.indexOf("health check: backend-2 is DOWN", kill); // not a flap in part 1
    int restart = out.indexOf("RESTART backend-2", kill);
    int up = out.indexOf("health check: backend-2 is UP", restart);
    assertThat(kill).as(out).isPositive();
    assertThat(down).as("marked down after the kill").isGreaterThan(kill);
    assertThat(restart).as("restarted after being marked down").isGreaterThan(down);
    assertThat(up).as("marked up after the restart").isGreaterThan(restart);
    // Between being marked down and restarted, its table rows say killed and DOWN, +0 new.
    Matcher rows =
        Pattern.compile(
                "^  backend-2\\s+killed\\s+DOWN\\s+\\d+\\s+\\d+%\\s+(\\d+) ", Pattern.MULTILINE)
            .matcher(out.substring(down, restart));
    List<Long> fresh = new ArrayList<>();
    while (rows.find()) {
      fresh.add(Long.parseLong(rows.group(1)));
    }
    if (fresh.size() > 1) { // the first table after the kill may count requests from before it
      assertThat(fresh.subList(1, fresh.size())).containsOnly(0L);
    }
    assertThat(out).containsPattern("done in [\\d.]+ s\\s*$");
  }

  @Test
  void argumentsAreShortOrNothing() {
    assertThat(Demo.pace()).isEqualTo(Demo.Pace.NORMAL);
    assertThat(Demo.pace("--short")).isEqualTo(Demo.Pace.SHORT);
    assertThatThrownBy(() -> Demo.pace("--requests=9000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("argument: --requests=9000 (expected: --short or none)");
  }
}
