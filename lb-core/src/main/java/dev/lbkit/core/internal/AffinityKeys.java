package dev.lbkit.core.internal;

import java.util.Objects;
import javax.crypto.Mac;

/**
 * What an affinity table stores for a key, so that no key costs more than a fixed number of bytes
 * however long it is.
 *
 * <p>A key of at most {@value #MAX_KEY_LENGTH} characters is stored as it is. A longer one is
 * stored as a {@link Digest}: the first 128 bits of HMAC-SHA256 of its UTF-16BE code units, under a
 * random key of this instance. Two different keys share a digest with probability about 2^-128 per
 * pair (and nobody without the key can search for such a pair), and a digest never equals a string,
 * so a short key and a long one never meet.
 *
 * <p>Thread-safe. Cost: nothing for a short key; for a long one, one HMAC over its characters
 * (linear in the key's length, in a fixed 512-byte buffer).
 */
public final class AffinityKeys {

  /** The longest key stored as it is, in characters. */
  public static final int MAX_KEY_LENGTH = 64;

  private final Hmac hmac = new Hmac(AffinityCookies.randomSecret());

  /** A stored long key: 128 bits of its keyed digest. */
  public record Digest(long high, long low) {}

  /** Creates a keyed digest with a random key of its own. */
  public AffinityKeys() {}

  /**
   * Returns what to store for {@code key}: the key itself if it has at most {@value
   * #MAX_KEY_LENGTH} characters, else its {@link Digest}.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public Object storedKey(String key) {
    Objects.requireNonNull(key, "key");
    return key.length() <= MAX_KEY_LENGTH ? key : digest(key);
  }

  private Digest digest(String key) {
    Mac mac = hmac.mac();
    byte[] buffer = new byte[512];
    int n = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      buffer[n++] = (byte) (c >>> 8);
      buffer[n++] = (byte) c;
      if (n == buffer.length) {
        mac.update(buffer, 0, n);
        n = 0;
      }
    }
    mac.update(buffer, 0, n);
    byte[] d = mac.doFinal();
    return new Digest(longAt(d, 0), longAt(d, 8));
  }

  private static long longAt(byte[] bytes, int from) {
    long value = 0;
    for (int i = from; i < from + 8; i++) {
      value = value << 8 | (bytes[i] & 0xff);
    }
    return value;
  }
}
