package dev.lbkit.services.pool;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The pool's Ed25519 identities and health challenge, on the JDK's built-in Ed25519.
 *
 * <p>A worker id is a public key in base64, of either its raw 32 bytes (what sandrun and libsodium
 * print, and what {@link #workerId} returns) or its X.509 encoding (what Java prints); both name
 * the same key, and keys are compared as keys, never as strings.
 *
 * <p>The challenge: the coordinator sends a fresh random nonce with every health check and the
 * worker signs the ASCII bytes {@code "lbkit-pool-health-v1:"} followed by the raw nonce bytes. The
 * prefix keeps the health endpoint from signing anything that means something elsewhere (domain
 * separation); the fresh nonce makes a recorded answer worthless for the next check.
 *
 * <p>Stateless and thread-safe.
 */
public final class WorkerIdentity {

  /** What a worker signs before the nonce bytes. */
  public static final String CHALLENGE_PREFIX = "lbkit-pool-health-v1:";

  /** The size of the nonce the coordinator sends, and the largest a worker signs. */
  public static final int NONCE_BYTES = 32;

  private static final byte[] PREFIX = CHALLENGE_PREFIX.getBytes(StandardCharsets.US_ASCII);

  /** The X.509 SubjectPublicKeyInfo header of an Ed25519 key; the raw 32 bytes follow it. */
  private static final byte[] X509_HEADER = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  /** The PKCS#8 header of an Ed25519 private key; the 32-byte seed follows it. */
  private static final byte[] PKCS8_HEADER = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  };

  private static final int KEY_BYTES = 32;

  private WorkerIdentity() {}

  /** Returns a new Ed25519 key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK since 15 has Ed25519", e);
    }
  }

  /**
   * Returns the key pair of an Ed25519 private key in PKCS#8 encoding (the body of a {@code BEGIN
   * PRIVATE KEY} PEM block, as sandrun's and OpenSSL's key files hold), public key included.
   *
   * @throws IllegalArgumentException if {@code pkcs8} is not an Ed25519 private key
   */
  public static KeyPair fromPkcs8(byte[] pkcs8) {
    Objects.requireNonNull(pkcs8, "pkcs8");
    if (pkcs8.length != PKCS8_HEADER.length + KEY_BYTES
        || !Arrays.equals(pkcs8, 0, PKCS8_HEADER.length, PKCS8_HEADER, 0, PKCS8_HEADER.length)) {
      throw new IllegalArgumentException(
          "pkcs8: " + pkcs8.length + " bytes (expected: an Ed25519 private key, 48 bytes)");
    }
    byte[] seed = Arrays.copyOfRange(pkcs8, PKCS8_HEADER.length, pkcs8.length);
    // Java 17 cannot derive a public key from a private one; a generator fed the key's own seed
    // as its only randomness derives the same pair (RFC 8032: the pair is a function of the seed).
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK since 15 has Ed25519", e);
    }
  }

  /** Returns the PKCS#8 encoding of an Ed25519 private key. */
  public static byte[] pkcs8(PrivateKey key) {
    return Objects.requireNonNull(key, "key").getEncoded();
  }

  /** Returns {@code key}'s worker id: base64 of its raw 32 bytes, as sandrun prints it. */
  public static String workerId(PublicKey key) {
    byte[] encoded = Objects.requireNonNull(key, "key").getEncoded();
    return Base64.getEncoder()
        .encodeToString(Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length));
  }

  /**
   * Returns the public key a worker id names: base64 (standard or URL-safe alphabet, padded or not)
   * of a raw 32-byte Ed25519 public key or of its X.509 encoding.
   *
   * @param what how the caller names the value in an error message, e.g. {@code "worker_id"}
   * @throws IllegalArgumentException if {@code workerId} is neither
   */
  public static PublicKey publicKey(String workerId, String what) {
    Objects.requireNonNull(workerId, what);
    byte[] bytes = decodeBase64(workerId.trim());
    byte[] x509;
    if (bytes != null && bytes.length == KEY_BYTES) {
      x509 = Arrays.copyOf(X509_HEADER, X509_HEADER.length + KEY_BYTES);
      System.arraycopy(bytes, 0, x509, X509_HEADER.length, KEY_BYTES);
    } else if (bytes != null
        && bytes.length == X509_HEADER.length + KEY_BYTES
        && Arrays.equals(bytes, 0, X509_HEADER.length, X509_HEADER, 0, X509_HEADER.length)) {
      x509 = bytes;
    } else {
      throw new IllegalArgumentException(
          what
              + ": '"
              + workerId
              + "' (expected: base64 of a raw 32-byte Ed25519 public key or of its X.509"
              + " encoding)");
    }
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(what + ": '" + workerId + "' (not an Ed25519 key)", e);
    }
  }

  /** Returns the bytes of a base64 text in either alphabet, or null if it is not base64. */
  static byte @Nullable [] decodeBase64(String text) {
    boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    try {
      return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Returns whether two worker ids, in either encoding, name the same key. */
  static boolean sameKey(PublicKey key, String claimedId) {
    try {
      return key.equals(publicKey(claimedId, "worker_id"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Signs the challenge for {@code nonce}: {@value #CHALLENGE_PREFIX} followed by the nonce bytes.
   */
  public static byte[] sign(PrivateKey key, byte[] nonce) {
    Objects.requireNonNull(nonce, "nonce");
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(Objects.requireNonNull(key, "key"));
      signature.update(PREFIX);
      signature.update(nonce);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("key: not an Ed25519 private key", e);
    }
  }

  /**
   * Returns whether {@code signature} is {@code key}'s signature of the challenge for {@code
   * nonce}; a malformed signature is a wrong one.
   */
  public static boolean verify(PublicKey key, byte[] nonce, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(PREFIX);
      verifier.update(nonce);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** A "random" source that yields one given seed: how a key pair is re-derived from its seed. */
  private static final class SeedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    SeedRandom(byte[] seed) {
      this.seed = seed;
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("asked for " + bytes.length + " bytes, have a seed of 32");
      }
      System.arraycopy(seed, 0, bytes, 0, seed.length);
    }
  }
}
