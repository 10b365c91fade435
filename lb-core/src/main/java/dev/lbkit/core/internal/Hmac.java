package dev.lbkit.core.internal;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under one key, from the JDK ({@code javax.crypto}).
 *
 * <p>Thread-safe: a {@link Mac} is not, so each computation works on a copy of a prototype keyed
 * once (cloning copies two SHA-256 states, far cheaper than a provider lookup and a key schedule).
 * The prototype is never used itself, so concurrent clones only read it.
 */
final class Hmac {

  static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;
  private final Mac prototype;
  private volatile boolean cloneable = true; // the JDK's HmacSHA256 is; another provider may not be

  /** Keys a new HMAC with {@code key}, which the caller has checked and no longer changes. */
  Hmac(byte[] key) {
    this.key = new SecretKeySpec(key, ALGORITHM); // copies the key
    this.prototype = newMac(this.key);
  }

  /** Returns a keyed {@link Mac} for the caller's use alone. */
  Mac mac() {
    if (cloneable) {
      try {
        return (Mac) prototype.clone();
      } catch (CloneNotSupportedException e) {
        cloneable = false; // from now on, a new instance each time
      }
    }
    return newMac(key);
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      // Every Java SE implementation must provide HmacSHA256 (java.security.Security docs).
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }
}
