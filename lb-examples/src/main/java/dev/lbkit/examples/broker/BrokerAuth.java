package dev.lbkit.examples.broker;

import dev.lbkit.examples.http.Secrets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The broker's bearer tokens (seed 001, "static bearer tokens"): one admin token, and one token per
 * track that identifies the track. A track may allocate and release its own sandboxes; only the
 * admin may list the pool or release any sandbox.
 *
 * <pre>{@code
 * BrokerAuth auth = BrokerAuth.builder()
 *     .adminToken(System.getenv("BROKER_ADMIN_TOKEN"))
 *     .trackToken("track-7", System.getenv("TRACK_7_TOKEN"))
 *     .build();
 * }</pre>
 *
 * <p>Tokens are kept only as SHA-256 digests: the object holds no secret to leak through a heap
 * dump, a {@code toString} or a log line. {@link #authenticate} hashes the presented token and
 * compares its digest with every known digest using {@link MessageDigest#isEqual} (constant time),
 * without stopping at a match, so how long it takes tells nothing about which token, or how much of
 * one, matched. Error messages about tokens give their length, never their content. Immutable and
 * thread-safe.
 */
public final class BrokerAuth {

  /** Who called: the admin, or a track. */
  public enum Role {
    /** May list the pool and release any sandbox. */
    ADMIN,
    /** May allocate, read and release its own sandboxes. */
    TRACK
  }

  /**
   * An authenticated caller.
   *
   * @param role the caller's role
   * @param trackId the track a {@link Role#TRACK} token belongs to; null for the admin
   */
  public record Caller(Role role, @Nullable String trackId) {
    /** Returns whether the caller is the admin. */
    public boolean isAdmin() {
      return role == Role.ADMIN;
    }
  }

  /** A token's digest and whom it identifies. */
  private static final class Entry {
    private final byte[] digest;
    private final Caller caller;

    Entry(byte[] digest, Caller caller) {
      this.digest = digest;
      this.caller = caller;
    }

    byte[] digest() {
      return digest;
    }

    Caller caller() {
      return caller;
    }
  }

  /** The characters of an RFC 6750 bearer token (b64token). */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

  /** The shortest token accepted: 128 bits of a base64 alphabet, about. */
  public static final int MIN_TOKEN_LENGTH = 22;

  private static final int MAX_TOKEN_LENGTH = 512;
  private static final String BEARER = "bearer ";

  private final List<Entry> entries;

  private BrokerAuth(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Returns a builder with no tokens. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the caller that an {@code Authorization} header value ({@code Bearer <token>})
   * identifies; empty when the header is missing, malformed or carries an unknown token. Takes the
   * same time whichever known token, if any, matches.
   */
  public Optional<Caller> authenticate(@Nullable String authorization) {
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = authorization.substring(BEARER.length()).trim();
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      return Optional.empty();
    }
    byte[] digest = Secrets.sha256(token);
    Caller match = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(digest, entry.digest())) { // no early exit: every entry compared
        match = entry.caller();
      }
    }
    return Optional.ofNullable(match);
  }

  /** Returns the number of tracks with a token. */
  public int trackCount() {
    int tracks = 0;
    for (Entry entry : entries) {
      if (entry.caller().role() == Role.TRACK) {
        tracks++;
      }
    }
    return tracks;
  }

  /** Says how many tokens of each role there are, never what they are. */
  @Override
  public String toString() {
    int tracks = trackCount();
    return "BrokerAuth{1 admin token, " + tracks + " track token" + (tracks == 1 ? "" : "s") + "}";
  }

  /** Builds a {@link BrokerAuth}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private boolean hasAdmin;

    private Builder() {}

    /**
     * Sets the admin token.
     *
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if the token is shorter than {@value #MIN_TOKEN_LENGTH}
     *     characters or longer than 512, not of the bearer token alphabet, already given, or an
     *     admin token was set already
     */
    public Builder adminToken(String token) {
      if (hasAdmin) {
        throw new IllegalArgumentException("adminToken: set twice (expected: one admin token)");
      }
      add("adminToken", token, new Caller(Role.ADMIN, null));
      hasAdmin = true;
      return this;
    }

    /**
     * Adds the token of track {@code trackId}; a track may have several.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code trackId} is not 1 to 64 of {@code [A-Za-z0-9._-]},
     *     or the token is bad as for {@link #adminToken}
     */
    public Builder trackToken(String trackId, String token) {
      SandboxBroker.checkTrackId(trackId);
      add("trackToken of " + trackId, token, new Caller(Role.TRACK, trackId));
      return this;
    }

    private void add(String name, String token, Caller caller) {
      Objects.requireNonNull(token, name);
      // The messages describe the token, never quote it: a bad token may still be a real secret.
      if (token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            name
                + ": "
                + token.length()
                + " characters (expected: "
                + MIN_TOKEN_LENGTH
                + " to "
                + MAX_TOKEN_LENGTH
                + ")");
      }
      if (!TOKEN.matcher(token).matches()) {
        throw new IllegalArgumentException(
            name + ": has a character outside [A-Za-z0-9-._~+/] (expected: a bearer token)");
      }
      byte[] digest = Secrets.sha256(token);
      for (Entry entry : entries) {
        if (MessageDigest.isEqual(digest, entry.digest())) {
          throw new IllegalArgumentException(
              name + ": the same token as " + describe(entry.caller()) + " (expected: distinct)");
        }
      }
      entries.add(new Entry(digest, caller));
    }

    private static String describe(Caller caller) {
      return caller.isAdmin() ? "the admin" : "track " + caller.trackId();
    }

    /**
     * Returns the tokens.
     *
     * @throws IllegalStateException if no admin token was set
     */
    public BrokerAuth build() {
      if (!hasAdmin) {
        throw new IllegalStateException(
            "no admin token (expected: adminToken(...) before build())");
      }
      return new BrokerAuth(entries);
    }
  }
}
