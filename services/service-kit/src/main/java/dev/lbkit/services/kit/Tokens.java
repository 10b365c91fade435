package dev.lbkit.services.kit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Bearer tokens: generated from a {@link SecureRandom}, stored only as SHA-256 digests, and
 * compared in constant time ({@link MessageDigest#isEqual} on digests, so how long a comparison
 * takes tells nothing about how much of a token matched). Thread-safe.
 */
public final class Tokens {
  /** The characters of an RFC 6750 bearer token (b64token). */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

  /** The shortest token accepted: about 128 bits in a base64 alphabet. */
  public static final int MIN_LENGTH = 22;

  /** The longest token accepted. */
  public static final int MAX_LENGTH = 512;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String BEARER = "bearer ";

  private Tokens() {}

  /** Returns a new token: 32 random bytes, base64url without padding (43 characters). */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Returns the SHA-256 digest of {@code token} (UTF-8), in lower-case hex: what is stored. */
  public static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  /** Returns the SHA-256 digest of {@code token} (UTF-8). */
  public static byte[] sha256(String token) {
    Objects.requireNonNull(token, "token");
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }

  /**
   * Returns whether {@code presented} is the token whose digest is {@code storedSha256Hex}, in time
   * independent of where they differ.
   */
  public static boolean matches(@Nullable String presented, String storedSha256Hex) {
    Objects.requireNonNull(storedSha256Hex, "storedSha256Hex");
    byte[] stored;
    try {
      stored = HexFormat.of().parseHex(storedSha256Hex);
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] digest = sha256(presented == null ? "" : presented);
    return MessageDigest.isEqual(digest, stored) && presented != null;
  }

  /**
   * Returns the token of an {@code Authorization: Bearer <token>} header value, or null when the
   * header is missing or is not a bearer token of a sane length.
   */
  public static @Nullable String bearer(@Nullable String authorization) {
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = authorization.substring(BEARER.length()).trim();
    return token.isEmpty() || token.length() > MAX_LENGTH ? null : token;
  }

  /**
   * Checks a token given in configuration: {@value #MIN_LENGTH} to {@value #MAX_LENGTH} characters
   * of the bearer alphabet. The message describes the token, never quotes it.
   *
   * @throws IllegalArgumentException if it is not acceptable
   */
  public static String check(String token) {
    Objects.requireNonNull(token, "token");
    if (token.length() < MIN_LENGTH || token.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "a token of " + MIN_LENGTH + " to " + MAX_LENGTH + " characters");
    }
    if (!TOKEN.matcher(token).matches()) {
      throw new IllegalArgumentException("a token of [A-Za-z0-9-._~+/] characters");
    }
    return token;
  }
}
