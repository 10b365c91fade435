package dev.lbkit.services.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The API keys in {@code {cache-dir}/api_keys.json}, {@code {"keys": ["...", ...]}} as the seed
 * shows. On first run the file is created with the seed's default key {@code lb-dev-key-12345}. The
 * file is read again whenever its modification time or size changes (checked on each request: one
 * {@code stat}); a file that no longer parses keeps the keys read before, with a warning.
 *
 * <p>Keys are held as SHA-256 digests and a presented key is compared against every one with {@link
 * MessageDigest#isEqual}, without stopping at a match, so the time taken says nothing about which
 * key, or how much of one, matched. No key is ever logged. Thread-safe.
 */
final class ApiKeys {

  /** The seed's default key, written on first run. */
  static final String DEFAULT_KEY = "lb-dev-key-12345";

  /** The keys read from one version of the file. */
  private record Snapshot(@Nullable Object stamp, List<byte[]> digests) {}

  private final Path file;
  private final JsonLog log;
  private volatile Snapshot snapshot;

  ApiKeys(Path file, JsonLog log) throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.log = log;
    if (!Files.exists(file)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(
          file, "{\n  \"keys\": [\n    \"" + DEFAULT_KEY + "\"\n  ]\n}\n", StandardCharsets.UTF_8);
      log.warn("api_keys_created")
          .field("file", file.toString())
          .field("note", "the seed's default key was written; replace it before production")
          .write();
    }
    Object stamp = stamp();
    this.snapshot = new Snapshot(stamp, read());
    log.info("api_keys_loaded").field("keys", snapshot.digests().size()).write();
  }

  /** Returns whether {@code presented} is one of the keys; reloads the file first if it changed. */
  boolean accepts(@Nullable String presented) {
    Snapshot keys = current();
    if (presented == null) {
      return false;
    }
    byte[] digest = Tokens.sha256(presented);
    boolean match = false;
    for (byte[] key : keys.digests()) {
      match |= MessageDigest.isEqual(key, digest);
    }
    return match;
  }

  /** Returns how many keys are loaded. */
  int size() {
    return current().digests().size();
  }

  private Snapshot current() {
    Snapshot keys = snapshot;
    Object stamp;
    try {
      stamp = stamp();
    } catch (IOException e) {
      return keys; // the file is being replaced, or gone: keep what we have
    }
    if (Objects.equals(stamp, keys.stamp())) {
      return keys;
    }
    synchronized (this) {
      keys = snapshot;
      if (Objects.equals(stamp, keys.stamp())) {
        return keys;
      }
      try {
        keys = new Snapshot(stamp, read());
        log.info("api_keys_reloaded").field("keys", keys.digests().size()).write();
      } catch (IOException | IllegalArgumentException e) {
        keys = new Snapshot(stamp, keys.digests());
        log.warn("api_keys_unreadable")
            .field("file", file.toString())
            .field("error", e.getClass().getSimpleName())
            .field("note", "keeping the keys read before")
            .write();
      }
      snapshot = keys;
      return keys;
    }
  }

  private Object stamp() throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    return List.of(attributes.lastModifiedTime(), attributes.size());
  }

  /** Reads the file; the messages never quote a key. */
  private List<byte[]> read() throws IOException {
    JsonNode root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    JsonNode keys = root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new IllegalArgumentException(file + ": no \"keys\" array");
    }
    List<byte[]> digests = new ArrayList<>();
    for (JsonNode key : keys) {
      if (key.isTextual() && !key.asText().isBlank()) {
        digests.add(Tokens.sha256(key.asText()));
      }
    }
    return List.copyOf(digests);
  }
}
