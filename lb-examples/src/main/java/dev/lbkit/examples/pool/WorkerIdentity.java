package dev.lbkit.examples.pool;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;

/**
 * The health challenge's cryptography, all with the JDK's built-in Ed25519: a worker's id is its
 * public key (base64 of the X.509 encoding), and it proves it holds the private key by signing the
 * coordinator's nonce.
 *
 * <p>The worker signs {@code "lbkit-pool-health-v1:" + nonce}, never the bare nonce, so its health
 * endpoint cannot be used to make it sign anything that means something elsewhere (domain
 * separation). A fresh random nonce per probe means a recorded answer is worthless later.
 */
final class WorkerIdentity {

  private static final byte[] CONTEXT = "lbkit-pool-health-v1:".getBytes(StandardCharsets.US_ASCII);

  /** The nonce size the coordinator sends, and the most a worker signs. */
  static final int NONCE_BYTES = 32;

  private WorkerIdentity() {}

  /** Returns a new Ed25519 key pair. */
  static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK since 15 has Ed25519", e);
    }
  }

  /** Returns the worker id of {@code key}: base64 of its X.509 encoding. */
  static String workerId(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /**
   * Returns the public key a worker id names.
   *
   * @throws IllegalArgumentException if {@code workerId} is not a base64 X.509 Ed25519 public key
   */
  static PublicKey publicKey(String workerId) {
    Objects.requireNonNull(workerId, "workerId");
    try {
      byte[] encoded = Base64.getDecoder().decode(workerId);
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "workerId: '" + workerId + "' (expected: a base64 X.509 Ed25519 public key)", e);
    }
  }

  /** Signs the challenge for {@code nonce}. */
  static byte[] sign(PrivateKey key, byte[] nonce) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(key);
      signature.update(CONTEXT);
      signature.update(nonce);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + key.getAlgorithm(), e);
    }
  }

  /**
   * Returns whether {@code signature} is {@code key}'s signature of the challenge for {@code
   * nonce}.
   */
  static boolean verify(PublicKey key, byte[] nonce, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(CONTEXT);
      verifier.update(nonce);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature is a wrong one
    }
  }
}
