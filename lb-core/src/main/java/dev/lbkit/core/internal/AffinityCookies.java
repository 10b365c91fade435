package dev.lbkit.core.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import org.jspecify.annotations.Nullable;

/**
 * Affinity cookie values: a keyed MAC of a server's id, so that nobody without the secret can make
 * the cookie of a server, or learn a server's address from its cookie.
 *
 * <p>The value for the server with id {@code id} is the first 16 bytes (128 bits) of {@code
 * HMAC-SHA256(secret, ASCII(FORMAT) || 0x00 || UTF-8(id))}, in base64url without padding: 22
 * characters of {@code A-Z a-z 0-9 - _}. {@link #FORMAT} names this rule; a change to it comes with
 * a new name. Instances with the same secret give the same values, in every process; instances with
 * different secrets give unrelated ones.
 *
 * <p>Cookies are compared in constant time: {@link #matches} and {@link Token#equals} go through
 * {@link MessageDigest#isEqual}, whose time depends on the lengths only. A {@link Token} is also a
 * hash-table key: its hash code mixes the value with a random seed of this instance, so the timing
 * of a table lookup with a forged cookie tells nothing usable about the values in the table.
 *
 * <p>Thread-safe. Cost: one HMAC (about a microsecond) the first time a server id is seen, then a
 * look-up in a cache of at most {@value #CACHE_LIMIT} ids (cleared when full): compute values when
 * membership changes, not per request.
 */
public final class AffinityCookies {

  /** The name of the value format; part of the MAC input, so formats never collide. */
  public static final String FORMAT = "lbkit-affinity-hmac-sha256-128-b64url-v1";

  /** The shortest secret accepted, in bytes (128 bits). */
  public static final int MIN_SECRET_BYTES = 16;

  /** The length of every cookie value, in characters. */
  public static final int VALUE_LENGTH = 22;

  /** The most server ids whose values are cached. */
  public static final int CACHE_LIMIT = 4_096;

  private static final int MAC_BYTES = 16;
  private static final int RANDOM_SECRET_BYTES = 32;
  private static final byte[] CONTEXT = (FORMAT + "\0").getBytes(US_ASCII);
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Hmac hmac;
  private final long hashSeed;
  private final ConcurrentHashMap<String, Token> byServerId = new ConcurrentHashMap<>();

  /**
   * Creates cookies keyed by {@code secret}, which is copied.
   *
   * @throws NullPointerException if {@code secret} is null
   * @throws IllegalArgumentException if {@code secret} is shorter than {@value #MIN_SECRET_BYTES}
   *     bytes
   */
  public AffinityCookies(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret: " + secret.length + " bytes (expected: >= " + MIN_SECRET_BYTES + ")");
    }
    byte[] copy = secret.clone();
    this.hmac = new Hmac(copy);
    Arrays.fill(copy, (byte) 0);
    this.hashSeed = RANDOM.nextLong();
  }

  /** Returns a new random secret of 32 bytes from {@link SecureRandom}. */
  public static byte[] randomSecret() {
    byte[] secret = new byte[RANDOM_SECRET_BYTES];
    RANDOM.nextBytes(secret);
    return secret;
  }

  /**
   * Returns the cookie value of the server with id {@code serverId}.
   *
   * @throws NullPointerException if {@code serverId} is null
   */
  public String valueOf(String serverId) {
    return tokenOf(serverId).value();
  }

  /**
   * Returns the cookie value of the server with id {@code serverId} as a table key.
   *
   * @throws NullPointerException if {@code serverId} is null
   */
  public Token tokenOf(String serverId) {
    Objects.requireNonNull(serverId, "serverId");
    Token token = byServerId.get(serverId);
    if (token != null) {
      return token;
    }
    token = new Token(mac(serverId), hashSeed);
    if (byServerId.size() >= CACHE_LIMIT) {
      byServerId.clear(); // ids come from membership, so this happens only after heavy churn
    }
    Token raced = byServerId.putIfAbsent(serverId, token);
    return raced != null ? raced : token;
  }

  /**
   * Returns the table key for a cookie a client sent, or null if it cannot be a value (null, or not
   * {@value #VALUE_LENGTH} characters long: the length is public).
   */
  public @Nullable Token parse(@Nullable String cookie) {
    return cookie != null && cookie.length() == VALUE_LENGTH ? new Token(cookie, hashSeed) : null;
  }

  /**
   * Returns whether {@code cookie} equals {@code expected}, in time that depends on their lengths
   * only; false if {@code cookie} is null.
   *
   * @throws NullPointerException if {@code expected} is null
   */
  public static boolean matches(@Nullable String cookie, String expected) {
    Objects.requireNonNull(expected, "expected");
    return cookie != null
        && MessageDigest.isEqual(cookie.getBytes(UTF_8), expected.getBytes(UTF_8));
  }

  private String mac(String serverId) {
    Mac mac = hmac.mac();
    mac.update(CONTEXT);
    byte[] digest = mac.doFinal(serverId.getBytes(UTF_8));
    return BASE64URL.encodeToString(Arrays.copyOf(digest, MAC_BYTES));
  }

  @Override
  public String toString() {
    return "AffinityCookies{" + FORMAT + "}"; // never the secret
  }

  /**
   * A cookie value as a hash-table key: equal to another token of the same {@link AffinityCookies}
   * with the same value, compared in constant time; its hash code is keyed by that instance.
   */
  public static final class Token {
    private final String value;
    private final byte[] bytes;
    private final long seed;
    private final int hash;

    Token(String value, long seed) {
      this.value = value;
      this.bytes = value.getBytes(UTF_8);
      this.seed = seed;
      this.hash = hash(bytes, seed);
    }

    /** Returns the cookie value. */
    public String value() {
      return value;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Token
          && ((Token) o).seed == seed
          && MessageDigest.isEqual(((Token) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    /** Returns the length only: a cookie value is a credential of sorts, kept out of logs. */
    @Override
    public String toString() {
      return "Token[" + value.length() + " chars]";
    }

    private static int hash(byte[] bytes, long seed) {
      long h = seed;
      for (byte b : bytes) {
        h = (h ^ (b & 0xff)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
      }
      h ^= h >>> 32;
      h *= 0xD6E8FEB86659FD93L;
      h ^= h >>> 32;
      return (int) h;
    }
  }
}
