package dev.lbkit.services.pool;

import dev.lbkit.core.Server;
import java.net.URI;
import java.security.PublicKey;
import java.util.Locale;
import java.util.Objects;

/**
 * One allowlisted worker, as {@code workers.json} lists it: where it answers, the Ed25519 public
 * key it must prove it holds, how many jobs it runs at once, and how its identity is checked.
 *
 * @param endpoint its base URI, {@code http://host:port}, no path
 * @param key its public key (the {@code worker_id})
 * @param maxConcurrentJobs the most jobs the coordinator gives it at once, at least 1
 * @param identity how a health check proves who answers
 */
public record WorkerSpec(
    URI endpoint, PublicKey key, int maxConcurrentJobs, IdentityCheck identity) {

  /** How a health check decides that the allowlisted worker is the one answering. */
  public enum IdentityCheck {
    /**
     * The default: the worker signs a fresh random nonce with its private key ({@code "identity":
     * "challenge"}). Only the key's holder can answer, and an answer cannot be replayed.
     */
    CHALLENGE,
    /**
     * Weaker, for a plain sandrun worker that cannot sign ({@code "identity": "echo"}): the worker
     * need only answer with its {@code worker_id}. A public key is public, so anything at the
     * worker's address that knows it passes: use it only on a network where nobody else can take
     * that address.
     */
    ECHO;

    /** Returns the name {@code workers.json} uses. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException if the endpoint is not an absolute http URI with a host and no
   *     path, query or fragment, or {@code maxConcurrentJobs} is below 1
   */
  public WorkerSpec {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(identity, "identity");
    String scheme = endpoint.getScheme();
    String path = endpoint.getRawPath();
    if (scheme == null
        || !scheme.equals("http")
        || endpoint.getHost() == null
        || endpoint.getRawUserInfo() != null
        || !(path == null || path.isEmpty() || path.equals("/"))
        || endpoint.getRawQuery() != null
        || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "endpoint: '" + endpoint + "' (expected: http://host:port)");
    }
    if (maxConcurrentJobs < 1) {
      throw new IllegalArgumentException(
          "max_concurrent_jobs: " + maxConcurrentJobs + " (expected: >= 1)");
    }
    endpoint = URI.create(scheme + "://" + endpoint.getRawAuthority());
  }

  /** Returns the port, 80 if the endpoint names none. */
  public int port() {
    int port = endpoint.getPort();
    return port != -1 ? port : 80;
  }

  /** Returns the balancer's server for this worker: its host and port. */
  Server server() {
    return new Server(endpoint.getHost(), port());
  }

  /** Returns the worker id, base64 of the raw public key. */
  public String workerId() {
    return WorkerIdentity.workerId(key);
  }

  @Override
  public String toString() {
    return "WorkerSpec{" + endpoint + ", " + workerId() + ", max " + maxConcurrentJobs + "}";
  }
}
