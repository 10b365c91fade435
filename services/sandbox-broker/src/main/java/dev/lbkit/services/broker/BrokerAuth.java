package dev.lbkit.services.broker;

import dev.lbkit.services.broker.store.SandboxStore;
import dev.lbkit.services.kit.Tokens;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The broker's bearer tokens (seed 001, "static bearer tokens"): one admin token and track tokens,
 * each either for one track (whose {@code X-Track-ID} must match) or for any track ({@code *}, the
 * seed's single {@code BROKER_API_TOKEN}).
 *
 * <p>Tokens given as options are used as given and never stored. A token not given is looked up in
 * the store ({@code broker_tokens}, SHA-256 digests only), or, on the first start, generated,
 * stored hashed and printed once on standard output (never in a log line). Instances sharing one
 * PostgreSQL share the generated tokens: the first to start generates them, the others find them.
 *
 * <p>{@link #authenticate} hashes the presented token and compares its digest with every known
 * digest using {@link MessageDigest#isEqual}, without stopping at a match. Immutable, thread-safe.
 */
public final class BrokerAuth {
  /** A track id: 1 to 64 of {@code [A-Za-z0-9._-]}, safe in logs, JSON and SQL. */
  public static final Pattern TRACK_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The track of a token that may act for any track. */
  public static final String ANY_TRACK = "*";

  /** Who called. */
  public record Caller(boolean admin, @Nullable String track) {}

  private static final class Entry {
    final byte[] digest;
    final Caller caller;

    Entry(byte[] digest, Caller caller) {
      this.digest = digest;
      this.caller = caller;
    }
  }

  private final List<Entry> entries;

  private BrokerAuth(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Returns the tokens: those given, else those stored, else new ones stored and printed on {@code
   * out}.
   */
  public static BrokerAuth load(
      SandboxStore store,
      @Nullable String adminToken,
      List<String> trackTokens,
      long now,
      PrintStream out)
      throws SQLException {
    List<Entry> entries = new ArrayList<>();
    List<String> printed = new ArrayList<>();
    if (adminToken != null) {
      entries.add(new Entry(Tokens.sha256(adminToken), new Caller(true, null)));
    } else {
      entries.add(stored(store, "admin", "", new Caller(true, null), now, printed, "admin token"));
    }
    if (!trackTokens.isEmpty()) {
      for (String pair : trackTokens) {
        int eq = pair.indexOf('=');
        entries.add(
            new Entry(
                Tokens.sha256(pair.substring(eq + 1)), new Caller(false, pair.substring(0, eq))));
      }
    } else {
      List<SandboxStore.StoredToken> tracks = new ArrayList<>();
      for (SandboxStore.StoredToken token : store.tokens()) {
        if (token.role().equals("track")) {
          tracks.add(token);
        }
      }
      if (tracks.isEmpty()) {
        entries.add(
            stored(
                store,
                "track",
                ANY_TRACK,
                new Caller(false, ANY_TRACK),
                now,
                printed,
                "track token (any X-Track-ID)"));
      } else {
        for (SandboxStore.StoredToken token : tracks) {
          entries.add(
              new Entry(
                  HexFormat.of().parseHex(token.sha256()), new Caller(false, token.trackId())));
        }
      }
    }
    if (!printed.isEmpty()) {
      StringBuilder banner =
          new StringBuilder(
              "sandbox-broker: generated on first start, stored hashed, shown only now:\n");
      for (String line : printed) {
        banner.append("  ").append(line).append('\n');
      }
      out.print(banner);
      out.flush();
    }
    return new BrokerAuth(entries);
  }

  /** The stored token of a role and track, or a new one stored and added to {@code printed}. */
  private static Entry stored(
      SandboxStore store,
      String role,
      String track,
      Caller caller,
      long now,
      List<String> printed,
      String label)
      throws SQLException {
    for (SandboxStore.StoredToken token : store.tokens()) {
      if (token.role().equals(role) && token.trackId().equals(track)) {
        return new Entry(HexFormat.of().parseHex(token.sha256()), caller);
      }
    }
    String token = Tokens.generate();
    if (store.storeToken(role, track, Tokens.sha256Hex(token), now)) {
      printed.add(label + ": " + token);
      return new Entry(Tokens.sha256(token), caller);
    }
    // another instance stored one first: use that one
    return stored(store, role, track, caller, now, printed, label);
  }

  /** Returns the caller an {@code Authorization} header identifies; empty when none. */
  public Optional<Caller> authenticate(@Nullable String authorization) {
    String token = Tokens.bearer(authorization);
    if (token == null) {
      return Optional.empty();
    }
    byte[] digest = Tokens.sha256(token);
    Caller match = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(digest, entry.digest)) { // no early exit
        match = entry.caller;
      }
    }
    return Optional.ofNullable(match);
  }

  /** Says how many tokens there are, never what they are. */
  @Override
  public String toString() {
    return "BrokerAuth{" + entries.size() + " tokens}";
  }
}
