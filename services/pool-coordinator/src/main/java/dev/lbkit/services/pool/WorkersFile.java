package dev.lbkit.services.pool;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lbkit.core.Server;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the allowlist, {@code workers.json}:
 *
 * <pre>{@code
 * {"workers": [
 *   {"endpoint": "http://10.0.0.1:8443", "worker_id": "<base64 Ed25519 public key>",
 *    "max_concurrent_jobs": 4},
 *   {"endpoint": "http://10.0.0.2:8443", "worker_id": "...", "max_concurrent_jobs": 2,
 *    "identity": "echo"}
 * ]}
 * }</pre>
 *
 * <p>A key is base64 of the raw 32 bytes or of the X.509 encoding. {@code max_concurrent_jobs} is 4
 * when left out (the seed's default); {@code identity} is {@code "challenge"} (the signed nonce,
 * the default) or {@code "echo"} (the seed's weaker check: see {@link
 * WorkerSpec.IdentityCheck#ECHO}). The seed's own example file, a bare array of the same objects,
 * is read too. Unknown fields are refused, so that a misspelt {@code "identity"} cannot silently
 * leave a worker on a check its operator did not mean.
 */
public final class WorkersFile {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of("endpoint", "worker_id", "max_concurrent_jobs", "identity");
  private static final int DEFAULT_MAX_CONCURRENT_JOBS = 4;

  private WorkersFile() {}

  /**
   * Reads the allowlist at {@code path}.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if it is not a valid allowlist; the message names the file,
   *     the field and the value
   */
  public static List<WorkerSpec> load(Path path) throws IOException {
    String text = Files.readString(Objects.requireNonNull(path, "path"), StandardCharsets.UTF_8);
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads an allowlist from its JSON text.
   *
   * @throws IllegalArgumentException if it is not a valid allowlist, naming the field and value
   */
  public static List<WorkerSpec> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(Objects.requireNonNull(json, "json"));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not JSON (" + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ")",
          e);
    }
    JsonNode list = root != null && root.isObject() ? root.get("workers") : root;
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(
          "workers: missing (expected: {\"workers\": [...]} with one object per worker)");
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("workers: [] (expected: at least one worker)");
    }
    List<WorkerSpec> workers = new ArrayList<>();
    Set<Server> addresses = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "workers[" + i + "]";
      WorkerSpec worker = worker(list.get(i), at);
      if (!addresses.add(worker.server())) {
        throw new IllegalArgumentException(
            at + ".endpoint: '" + worker.endpoint() + "' (expected: each endpoint listed once)");
      }
      workers.add(worker);
    }
    return List.copyOf(workers);
  }

  private static WorkerSpec worker(JsonNode node, String at) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(at + ": " + node + " (expected: an object)");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(
            at + "." + name + ": unknown field (expected: one of " + FIELDS + ")");
      }
    }
    String endpoint = text(node, at, "endpoint");
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          at + ".endpoint: '" + endpoint + "' (expected: http://host:port)", e);
    }
    var key = WorkerIdentity.publicKey(text(node, at, "worker_id"), at + ".worker_id");
    int max = DEFAULT_MAX_CONCURRENT_JOBS;
    JsonNode maxNode = node.get("max_concurrent_jobs");
    if (maxNode != null) {
      if (!maxNode.canConvertToExactIntegral() || !maxNode.canConvertToInt()) {
        throw new IllegalArgumentException(
            at + ".max_concurrent_jobs: " + maxNode + " (expected: an integer >= 1)");
      }
      max = maxNode.asInt();
    }
    WorkerSpec.IdentityCheck identity = WorkerSpec.IdentityCheck.CHALLENGE;
    JsonNode identityNode = node.get("identity");
    if (identityNode != null) {
      identity = identity(identityNode, at);
    }
    try {
      return new WorkerSpec(uri, key, max, identity);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + "." + e.getMessage(), e);
    }
  }

  private static WorkerSpec.IdentityCheck identity(JsonNode node, String at) {
    for (WorkerSpec.IdentityCheck check : WorkerSpec.IdentityCheck.values()) {
      if (node.isTextual() && node.asText().toLowerCase(Locale.ROOT).equals(check.jsonName())) {
        return check;
      }
    }
    throw new IllegalArgumentException(
        at + ".identity: " + node + " (expected: \"challenge\" or \"echo\")");
  }

  private static String text(JsonNode node, String at, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException(
          at + "." + field + ": " + (value == null ? "missing" : value) + " (expected: a string)");
    }
    return value.asText();
  }
}
