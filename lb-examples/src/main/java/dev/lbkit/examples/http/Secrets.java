package dev.lbkit.examples.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A set of secrets (API keys, tokens) that a presented credential is checked against in constant
 * time. Only SHA-256 digests are kept; {@link #contains} digests the candidate and compares it with
 * every digest by {@link MessageDigest#isEqual}, without stopping at a match, so its timing tells
 * an attacker neither how much of a key matched nor which key, nor how long the keys are. {@link
 * #toString()} reveals nothing. Immutable and thread-safe.
 */
public final class Secrets {

  private final List<byte[]> digests;

  private Secrets(List<byte[]> digests) {
    this.digests = digests;
  }

  /**
   * Returns the set of {@code secrets}; {@code name} is what error messages call them.
   *
   * @throws IllegalArgumentException if {@code secrets} is empty or one of them is blank (the
   *     message says which position, never the value): {@code apiKeys[1]: blank (expected: not
   *     blank)}
   * @throws NullPointerException if an argument or an element is null
   */
  public static Secrets of(String name, Collection<String> secrets) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(secrets, name);
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException(name + ": none (expected: at least one)");
    }
    List<byte[]> digests = new ArrayList<>(secrets.size());
    int index = 0;
    for (String secret : secrets) {
      String position = name + "[" + index + "]";
      Objects.requireNonNull(secret, position);
      if (secret.isBlank()) {
        throw new IllegalArgumentException(position + ": blank (expected: not blank)");
      }
      digests.add(sha256(secret));
      index++;
    }
    return new Secrets(List.copyOf(digests));
  }

  /** Returns whether {@code candidate} is one of the secrets; false for null. Constant time. */
  public boolean contains(@Nullable String candidate) {
    if (candidate == null) {
      return false;
    }
    byte[] digest = sha256(candidate);
    boolean found = false;
    for (byte[] d : digests) {
      found |= MessageDigest.isEqual(d, digest); // no early exit
    }
    return found;
  }

  /** Returns the SHA-256 digest of {@code secret}'s UTF-8 bytes: what is kept in place of it. */
  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Returns how many secrets there are, never what they are. */
  @Override
  public String toString() {
    return "Secrets{" + digests.size() + " digest(s)}";
  }
}
