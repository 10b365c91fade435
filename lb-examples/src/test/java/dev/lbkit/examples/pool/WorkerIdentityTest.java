package dev.lbkit.examples.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.examples.http.TestHttp;
import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerIdentityTest {

  private final KeyPair keys = WorkerIdentity.generate();
  private final byte[] nonce = {1, 2, 3, 4};

  @Test
  void aSignatureVerifiesOnlyForItsKeyAndItsNonce() {
    byte[] signature = WorkerIdentity.sign(keys.getPrivate(), nonce);
    assertThat(WorkerIdentity.verify(keys.getPublic(), nonce, signature)).isTrue();
    assertThat(WorkerIdentity.verify(keys.getPublic(), new byte[] {1, 2, 3, 5}, signature))
        .isFalse();
    assertThat(WorkerIdentity.verify(WorkerIdentity.generate().getPublic(), nonce, signature))
        .isFalse();
    assertThat(WorkerIdentity.verify(keys.getPublic(), nonce, new byte[] {9})).isFalse();
  }

  @Test
  void theWorkerSignsTheChallengeNotTheBareNonce() throws Exception {
    java.security.Signature bare = java.security.Signature.getInstance("Ed25519");
    bare.initSign(keys.getPrivate());
    bare.update(nonce);
    assertThat(WorkerIdentity.verify(keys.getPublic(), nonce, bare.sign())).isFalse();
  }

  @Test
  void aWorkerIdIsItsPublicKeyAndReadsBack() {
    String id = WorkerIdentity.workerId(keys.getPublic());
    assertThat(WorkerIdentity.publicKey(id)).isEqualTo(keys.getPublic());
    String rsaLike = Base64.getEncoder().encodeToString(new byte[44]);
    assertThatThrownBy(() -> WorkerIdentity.publicKey(rsaLike))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(expected: a base64 X.509 Ed25519 public key)");
  }

  @Test
  void aWorkerAnswersAChallengeAndRefusesABadOne() throws IOException {
    try (PoolWorker worker = PoolWorker.start("w", (id, payload) -> payload)) {
      URI uri = URI.create("http://127.0.0.1:" + worker.port());
      String encoded = Base64.getUrlEncoder().encodeToString(nonce);
      TestHttp.Reply reply = TestHttp.get(uri, "/health?nonce=" + encoded);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.get("worker_id")).isEqualTo(worker.workerId());
      byte[] signature = Base64.getDecoder().decode(reply.get("signature"));
      assertThat(
              WorkerIdentity.verify(WorkerIdentity.publicKey(worker.workerId()), nonce, signature))
          .isTrue();

      assertThat(TestHttp.get(uri, "/health").get("error"))
          .isEqualTo("nonce: 0 bytes (expected: 1..32)");
      String tooLong = Base64.getUrlEncoder().encodeToString(new byte[33]);
      assertThat(TestHttp.get(uri, "/health?nonce=" + tooLong).status()).isEqualTo(400);
      assertThat(TestHttp.get(uri, "/health?nonce=***").get("error"))
          .isEqualTo("nonce: not base64url");
      assertThat(TestHttp.post(uri, "/run", "{\"job_id\":\"j\"}").get("error"))
          .isEqualTo("payload: missing (expected: a string)");
      assertThat(TestHttp.post(uri, "/run", "{\"job_id\":\"j\",\"payload\":\"p\"}").json())
          .containsExactlyInAnyOrderEntriesOf(Map.of("job_id", "j", "output", "p"));
    }
  }
}
