package dev.lbkit.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the report says about where it ran.
 *
 * @param cores the processors available to the JVM
 * @param os {@code os.name} and {@code os.arch}
 * @param cpu the CPU model from {@code /proc/cpuinfo}, or "unknown" where it cannot be read
 * @param jdk {@code java.vm.name} and {@code java.version}
 */
public record Machine(int cores, String os, String cpu, String jdk) {

  private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

  /** Describes the machine this JVM runs on. */
  public static Machine current() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        cpuModel(CPU_INFO).orElse("unknown"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
  }

  /** Returns "2 cores, Linux amd64, AMD EPYC". */
  public String summary() {
    return cores + (cores == 1 ? " core, " : " cores, ") + os + ", " + cpu;
  }

  /** Returns the first {@code model name} in a {@code /proc/cpuinfo}-style file, if any. */
  static Optional<String> cpuModel(Path cpuInfo) {
    List<String> lines;
    try {
      lines = Files.readAllLines(cpuInfo, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    return lines.stream()
        .filter(line -> line.startsWith("model name"))
        .map(line -> line.substring(line.indexOf(':') + 1).trim())
        .filter(model -> !model.isEmpty())
        .findFirst();
  }
}
