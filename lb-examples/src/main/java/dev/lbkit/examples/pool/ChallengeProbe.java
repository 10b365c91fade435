package dev.lbkit.examples.pool;

import dev.lbkit.core.Server;
import dev.lbkit.examples.http.JsonClient;
import dev.lbkit.health.Probe;
import dev.lbkit.health.ProbeResult;
import java.net.URI;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The pool's health probe: proves that the server answering at a worker's address holds the private
 * key of the worker id allowlisted for that address. It sends a fresh random nonce to {@code GET
 * /health}, and passes only on a 200 whose {@code worker_id} is the allowlisted id and whose {@code
 * signature} verifies against the allowlisted key.
 *
 * <p>The seed checked the {@code worker_id} alone; but a public key is public, so anyone can echo
 * it. A signature of a nonce nobody has seen before can only come from the key's holder, now.
 */
final class ChallengeProbe implements Probe {

  private final Map<Server, PublicKey> allowlist;
  private final JsonClient http;
  private final SecureRandom random = new SecureRandom();

  ChallengeProbe(Map<Server, PublicKey> allowlist, JsonClient http) {
    this.allowlist = Map.copyOf(allowlist);
    this.http = http;
  }

  @Override
  public ProbeResult probe(Server server, Duration timeout) throws Exception {
    PublicKey key = allowlist.get(server);
    if (key == null) {
      return ProbeResult.failed(server + " is not allowlisted");
    }
    byte[] nonce = new byte[WorkerIdentity.NONCE_BYTES];
    random.nextBytes(nonce);
    URI uri =
        URI.create(
            "http://"
                + server.id()
                + "/health?nonce="
                + Base64.getUrlEncoder().encodeToString(nonce));
    CompletableFuture<JsonClient.Response> exchange = http.send("GET", uri, null, timeout);
    JsonClient.Response response;
    try {
      response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      exchange.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      return ProbeResult.failed(Objects.requireNonNullElse(e.getCause(), e));
    }
    if (response.status() != 200) {
      return ProbeResult.failed("HTTP " + response.status());
    }
    Map<String, Object> body = response.json();
    if (!WorkerIdentity.workerId(key).equals(body.get("worker_id"))) {
      return ProbeResult.failed("worker_id is not the one allowlisted for " + server);
    }
    Object signature = body.get("signature");
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(signature instanceof String ? (String) signature : "");
    } catch (IllegalArgumentException e) {
      return ProbeResult.failed("signature: not base64");
    }
    if (!WorkerIdentity.verify(key, nonce, decoded)) {
      return ProbeResult.failed("signature: does not verify against the allowlisted key");
    }
    return ProbeResult.passed();
  }

  @Override
  public String toString() {
    return "ChallengeProbe{" + allowlist.size() + " allowlisted}";
  }
}
