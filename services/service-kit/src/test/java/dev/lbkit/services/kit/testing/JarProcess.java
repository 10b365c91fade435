package dev.lbkit.services.kit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service started as {@code java -jar <jar> args...} in its own process: its output lines are
 * collected, {@link #awaitPort} waits for its {@code listening} log line, {@link #terminate} sends
 * SIGTERM and returns the exit code.
 */
public final class JarProcess implements AutoCloseable {
  private final Process process;
  private final OutputLines output;

  private JarProcess(Process process) {
    this.process = process;
    this.output = new OutputLines(process, "jar-process-output");
  }

  /** Starts {@code jar} with {@code args} and {@code env} added to this process's environment. */
  public static JarProcess start(Path jar, List<String> args, Map<String, String> env, Path dir)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " missing: run mvn package first");
    }
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    return new JarProcess(builder.start());
  }

  /** Returns the lines the process printed so far (stdout and stderr). */
  public List<String> lines() {
    return output.lines();
  }

  /** Waits (bounded) for a line containing {@code text}; returns it. */
  public String awaitLine(String text, Duration timeout) throws InterruptedException {
    return output.await(text, timeout);
  }

  /** Waits for the {@code listening} log line and returns its port. */
  public int awaitPort(Duration timeout) throws InterruptedException {
    String line = awaitLine("\"action\":\"listening\"", timeout);
    JsonNode json = Json.parse(line);
    return json.get("port").asInt();
  }

  /** Sends SIGTERM and waits (bounded) for the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy(); // SIGTERM on Unix
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("did not exit within " + timeout + " after SIGTERM");
    }
    output.join(timeout);
    return process.exitValue();
  }

  /** Waits (bounded) for the process to exit by itself; returns its code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("still running after " + timeout);
    }
    output.join(timeout);
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
