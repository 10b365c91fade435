package dev.lbkit.services.pool.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a job asks of the reference worker, which runs no code: it stands in for sandrun's sandbox
 * with a job that waits, writes the files it is given and exits with the code it is given. The body
 * of {@code POST /submit} is a JSON object:
 *
 * <pre>{@code
 * {"name": "build-17",                        // optional, for logs and tests
 *  "sleep_ms": 250,                           // how long the job runs; 0 by default
 *  "exit_code": 0,                            // not 0: the job fails by its own doing
 *  "outputs": {"result.txt": "aGVsbG8="}}     // the files it writes: path -> base64 bytes
 * }</pre>
 *
 * Paths are relative, of segments {@code [A-Za-z0-9._-]} (no {@code .} or {@code ..}) joined by
 * {@code /}.
 *
 * @param name the job's name, or empty
 * @param sleepMillis how long it runs
 * @param exitCode its exit code; not 0 means it failed
 * @param outputs the files it writes, by path
 */
public record JobSpec(String name, long sleepMillis, int exitCode, Map<String, byte[]> outputs) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("name", "sleep_ms", "exit_code", "outputs");
  private static final long MAX_SLEEP_MILLIS = 3_600_000;

  /** Checks and copies the fields. */
  public JobSpec {
    Objects.requireNonNull(name, "name");
    if (sleepMillis < 0 || sleepMillis > MAX_SLEEP_MILLIS) {
      throw new IllegalArgumentException(
          "sleep_ms: " + sleepMillis + " (expected: 0.." + MAX_SLEEP_MILLIS + ")");
    }
    Map<String, byte[]> copy = new LinkedHashMap<>();
    outputs.forEach((path, bytes) -> copy.put(checkPath(path), bytes.clone()));
    outputs = java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * Reads a job from the body of {@code POST /submit}.
   *
   * @throws IllegalArgumentException if it is not a job of the shape above; the message names the
   *     field and the value
   */
  public static JobSpec parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("body: not JSON (expected: a JSON job object)", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("body: not a JSON object (expected: a job object)");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(field + ": unknown field (expected: one of " + FIELDS);
      }
    }
    JsonNode name = root.path("name");
    JsonNode sleep = root.path("sleep_ms");
    JsonNode exit = root.path("exit_code");
    if (!name.isMissingNode() && !name.isTextual()) {
      throw new IllegalArgumentException("name: " + name + " (expected: a string)");
    }
    if (!sleep.isMissingNode() && !sleep.canConvertToExactIntegral()) {
      throw new IllegalArgumentException("sleep_ms: " + sleep + " (expected: an integer)");
    }
    if (!exit.isMissingNode() && !(exit.canConvertToExactIntegral() && exit.canConvertToInt())) {
      throw new IllegalArgumentException("exit_code: " + exit + " (expected: an integer)");
    }
    Map<String, byte[]> outputs = new LinkedHashMap<>();
    JsonNode files = root.path("outputs");
    if (!files.isMissingNode()) {
      if (!files.isObject()) {
        throw new IllegalArgumentException("outputs: " + files + " (expected: an object)");
      }
      for (Map.Entry<String, JsonNode> file : files.properties()) {
        try {
          outputs.put(file.getKey(), Base64.getDecoder().decode(file.getValue().asText("*")));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "outputs." + file.getKey() + ": not base64 (expected: the file's bytes in base64)",
              e);
        }
      }
    }
    return new JobSpec(
        name.asText(""), sleep.asLong(0), exit.isMissingNode() ? 0 : exit.asInt(), outputs);
  }

  /**
   * Returns {@code path} if it is a safe relative output path.
   *
   * @throws IllegalArgumentException if it is not
   */
  static String checkPath(String path) {
    Objects.requireNonNull(path, "path");
    boolean ok = !path.isEmpty() && path.length() <= 512;
    for (String segment : path.split("/", -1)) {
      ok &= !segment.isEmpty() && !segment.equals(".") && !segment.equals("..");
      ok &= segment.chars().allMatch(JobSpec::isPathChar);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "outputs: path '" + path + "' (expected: relative segments of [A-Za-z0-9._-])");
    }
    return path;
  }

  private static boolean isPathChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }
}
