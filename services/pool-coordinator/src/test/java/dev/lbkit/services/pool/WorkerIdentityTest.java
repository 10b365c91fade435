package dev.lbkit.services.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class WorkerIdentityTest {

  private final KeyPair keys = WorkerIdentity.generate();
  private final byte[] nonce = {1, 2, 3, 4};

  @Test
  void aWorkerIdIsTheRawKeyInBase64AndBothEncodingsNameTheSameKey() {
    String raw = WorkerIdentity.workerId(keys.getPublic());
    String x509 = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());

    assertThat(Base64.getDecoder().decode(raw)).hasSize(32);
    assertThat(WorkerIdentity.publicKey(raw, "worker_id")).isEqualTo(keys.getPublic());
    assertThat(WorkerIdentity.publicKey(x509, "worker_id")).isEqualTo(keys.getPublic());
    String urlSafeUnpadded =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(Base64.getDecoder().decode(raw))
            .replace('+', '-');
    assertThat(WorkerIdentity.publicKey(urlSafeUnpadded, "worker_id")).isEqualTo(keys.getPublic());
    assertThat(WorkerIdentity.sameKey(keys.getPublic(), x509)).isTrue();
    assertThat(WorkerIdentity.sameKey(keys.getPublic(), "nonsense")).isFalse();
  }

  @Test
  void somethingElseIsNotAWorkerId() {
    String rsaSized = Base64.getEncoder().encodeToString(new byte[44]);
    assertThatThrownBy(() -> WorkerIdentity.publicKey(rsaSized, "workers[0].worker_id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "workers[0].worker_id: '"
                + rsaSized
                + "' (expected: base64 of a raw 32-byte Ed25519 public key or of its X.509"
                + " encoding)");
    assertThatThrownBy(() -> WorkerIdentity.publicKey("***", "worker_id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("worker_id: '***'");
  }

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
  void theWorkerSignsThePrefixedChallengeNotTheBareNonce() throws Exception {
    Signature bare = Signature.getInstance("Ed25519");
    bare.initSign(keys.getPrivate());
    bare.update(nonce);
    assertThat(WorkerIdentity.verify(keys.getPublic(), nonce, bare.sign())).isFalse();

    Signature prefixed = Signature.getInstance("Ed25519");
    prefixed.initSign(keys.getPrivate());
    prefixed.update("lbkit-pool-health-v1:".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    prefixed.update(nonce);
    assertThat(WorkerIdentity.verify(keys.getPublic(), nonce, prefixed.sign())).isTrue();
  }

  @Test
  void aPrivateKeyInPkcs8GivesBackItsWholePair() {
    KeyPair back = WorkerIdentity.fromPkcs8(WorkerIdentity.pkcs8(keys.getPrivate()));

    assertThat(back.getPublic()).isEqualTo(keys.getPublic());
    byte[] signature = WorkerIdentity.sign(back.getPrivate(), nonce);
    assertThat(WorkerIdentity.verify(keys.getPublic(), nonce, signature)).isTrue();
    assertThatThrownBy(() -> WorkerIdentity.fromPkcs8(new byte[48]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pkcs8: 48 bytes (expected: an Ed25519 private key, 48 bytes)");
  }
}
