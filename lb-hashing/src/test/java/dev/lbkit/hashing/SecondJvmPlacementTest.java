package dev.lbkit.hashing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stability across processes: a second JVM ({@link PlacementPrinter}, on this test's class path)
 * builds every placement, unweighted and weighted, and the bounded loads over two of them, from the
 * node list reversed and shuffled, and must place every key exactly as this JVM does from the
 * sorted list. The second JVM runs with another locale, default charset and garbage collector, so a
 * placement that read any of them, or an identity hash, would disagree.
 */
class SecondJvmPlacementTest {

  private static final int KEY_COUNT = 2000;

  /** Twelve nodes of weights 1 to 4, and one of weight 100. */
  private static Map<String, Integer> weights() {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (int i = 0; i < 12; i++) {
      weights.put("10.0.0." + i + ":8080", 1 + i % 4);
    }
    weights.put("big-node", 100);
    return weights;
  }

  private static Map<String, Integer> inOrder(Map<String, Integer> weights, List<String> order) {
    Map<String, Integer> ordered = new LinkedHashMap<>();
    order.forEach(node -> ordered.put(node, weights.get(node)));
    return ordered;
  }

  @Test
  void aSecondJvmBuildingFromReversedAndShuffledNodesPlacesEveryKeyAlike(@TempDir Path dir)
      throws IOException, InterruptedException {
    Map<String, Integer> weights = weights();
    List<String> sorted = new ArrayList<>(weights.keySet());
    Collections.sort(sorted);
    List<String> reversed = new ArrayList<>(sorted);
    Collections.reverse(reversed);
    List<String> shuffled = WeightedPlacements.shuffled(sorted, new Random(20_261_123L));

    Path output = dir.resolve("placements.txt");
    Path log = dir.resolve("second-jvm.log");
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1"); // a short run: start fast
    command.add("-Duser.language=tr"); // the locale where "I".toLowerCase() is not "i"
    command.add("-Duser.country=TR");
    command.add("-Dfile.encoding=ISO-8859-1");
    command.add(PlacementPrinter.class.getName());
    command.add(output.toString());
    command.add(String.valueOf(KEY_COUNT));
    command.add(PlacementPrinter.format(inOrder(weights, reversed)));
    command.add(PlacementPrinter.format(inOrder(weights, shuffled)));

    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the second JVM did not finish within 60 s; its output:%n%s", read(log));
    }
    assertThat(process.exitValue()).as("exit code; output:%n%s", read(log)).isZero();

    List<String> theirs = Files.readAllLines(output, UTF_8);
    Map<String, Integer> ours = inOrder(weights, sorted);
    List<String> expected = PlacementPrinter.lines(List.of(ours, ours), KEY_COUNT);
    assertThat(theirs).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(theirs.get(i))
          .as(
              "line %d (variant, order 0 = reversed %s / 1 = shuffled %s, key, node)",
              i, reversed, shuffled)
          .isEqualTo(expected.get(i));
    }
    assertThat(expected)
        .as("every variant and order is compared")
        .hasSize(PlacementPrinter.VARIANTS.size() * 2 * KEY_COUNT);
  }

  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? new String(Files.readAllBytes(log), UTF_8) : "(none)";
  }
}
