package dev.lbkit.services.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.core.Server;
import dev.lbkit.health.Probe;
import dev.lbkit.health.ProbeResult;
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
 * The pool's health probe: a worker passes only if the server at its address proves the allowlisted
 * identity. Each probe sends {@code GET /health?nonce=N} with a fresh random 32-byte nonce {@code
 * N} (base64url) and passes on a 200 whose {@code status} is {@code "healthy"}, whose {@code
 * worker_id} names the allowlisted key and, unless the worker is allowlisted with {@link
 * WorkerSpec.IdentityCheck#ECHO}, whose {@code signature} is that key's signature of the challenge
 * for {@code N} ({@link WorkerIdentity}).
 *
 * <p>The seed checked the {@code worker_id} alone; but a public key is public, so anyone can echo
 * it. A signature of a nonce nobody has seen before can only come from the key's holder, now: a
 * replayed answer carries the signature of an old nonce and fails.
 *
 * <p>Thread-safe: the nonce source is a {@link SecureRandom}.
 */
final class IdentityProbe implements Probe {

  private final Map<Server, WorkerSpec> allowlist;
  private final WorkerClient workers;
  private final SecureRandom random = new SecureRandom();

  IdentityProbe(Map<Server, WorkerSpec> allowlist, WorkerClient workers) {
    this.allowlist = Map.copyOf(allowlist);
    this.workers = Objects.requireNonNull(workers, "workers");
  }

  @Override
  public ProbeResult probe(Server server, Duration timeout) throws Exception {
    WorkerSpec worker = allowlist.get(server);
    if (worker == null) {
      return ProbeResult.failed(server + " is not allowlisted");
    }
    byte[] nonce = new byte[WorkerIdentity.NONCE_BYTES];
    random.nextBytes(nonce);
    String target =
        "/health?nonce=" + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    CompletableFuture<WorkerClient.Reply> exchange = workers.get(server, target, timeout);
    WorkerClient.Reply reply;
    try {
      reply = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      exchange.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      return ProbeResult.failed(Objects.requireNonNullElse(e.getCause(), e));
    }
    return judge(worker, nonce, reply);
  }

  /** Returns whether {@code reply} proves {@code worker}'s identity for {@code nonce}. */
  static ProbeResult judge(WorkerSpec worker, byte[] nonce, WorkerClient.Reply reply) {
    if (reply.status() != 200) {
      return ProbeResult.failed("HTTP " + reply.status());
    }
    JsonNode body = reply.json();
    if (body == null) {
      return ProbeResult.failed("not a JSON object");
    }
    if (!"healthy".equals(body.path("status").asText(null))) {
      return ProbeResult.failed("status: " + body.get("status") + " (expected: \"healthy\")");
    }
    String claimed = body.path("worker_id").asText("");
    if (!WorkerIdentity.sameKey(worker.key(), claimed)) {
      return ProbeResult.failed("worker_id: not the key allowlisted for " + worker.endpoint());
    }
    if (worker.identity() == WorkerSpec.IdentityCheck.ECHO) {
      return ProbeResult.passed();
    }
    byte[] signature = WorkerIdentity.decodeBase64(body.path("signature").asText(""));
    if (signature == null || signature.length == 0) {
      return ProbeResult.failed("signature: missing or not base64");
    }
    if (!WorkerIdentity.verify(worker.key(), nonce, signature)) {
      return ProbeResult.failed("signature: does not verify for this nonce and key");
    }
    return ProbeResult.passed();
  }

  @Override
  public String toString() {
    return "IdentityProbe{" + allowlist.size() + " allowlisted}";
  }
}
