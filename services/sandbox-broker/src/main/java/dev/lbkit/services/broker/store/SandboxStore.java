package dev.lbkit.services.broker.store;

import dev.lbkit.services.broker.csp.CspSandbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Every read and write of the {@code sandboxes} table. Each state change is one conditional
 * statement ({@code ... WHERE id = ? AND status = ?}), so two instances (or two threads) racing for
 * one sandbox see exactly one of them win; nothing is cached. Thread-safe.
 */
public final class SandboxStore {
  private static final String COLUMNS =
      "id, name, external_id, status, allocated_to_track, allocated_at, deletion_requested_at,"
          + " deletion_retry_count, idempotency_key, last_synced";

  private final Database db;

  /** Creates a store over {@code db}, already migrated. */
  public SandboxStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** How a claim ended. */
  public enum Claim {
    /** This caller now holds the sandbox. */
    WON,
    /** Another caller took it first. */
    LOST,
    /** The track already holds another sandbox (claimed concurrently). */
    TRACK_HOLDS_ONE
  }

  // ------------------------------------------------------------------ reads

  /** Returns the sandbox {@code id}. */
  public Optional<Sandbox> find(String id) throws SQLException {
    return one("SELECT " + COLUMNS + " FROM sandboxes WHERE id = ?", id);
  }

  /** Returns the sandbox {@code track} holds now, if any. */
  public Optional<Sandbox> held(String track) throws SQLException {
    return one(
        "SELECT "
            + COLUMNS
            + " FROM sandboxes WHERE allocated_to_track = ? AND status = 'allocated'",
        track);
  }

  /** Returns the sandbox allocated to {@code track} under {@code key}, in whatever state now. */
  public Optional<Sandbox> byKey(String track, String key) throws SQLException {
    return one(
        "SELECT "
            + COLUMNS
            + " FROM sandboxes WHERE allocated_to_track = ? AND idempotency_key = ?",
        track,
        key);
  }

  /** Returns up to {@code k} ids of available sandboxes, in random order. */
  public List<String> candidates(int k) throws SQLException {
    List<String> ids = new ArrayList<>(k);
    try (Connection c = db.connection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT id FROM sandboxes WHERE status = 'available' ORDER BY random() LIMIT ?")) {
      s.setInt(1, k);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  /** Returns how many sandboxes are in each state (every state present, 0 if none). */
  public Map<Status, Long> counts() throws SQLException {
    Map<Status, Long> counts = new EnumMap<>(Status.class);
    for (Status status : Status.values()) {
      counts.put(status, 0L);
    }
    try (Connection c = db.connection();
        PreparedStatement s =
            c.prepareStatement("SELECT status, COUNT(*) FROM sandboxes GROUP BY status");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        counts.put(Status.of(rs.getString(1)), rs.getLong(2));
      }
    }
    return counts;
  }

  /** Returns up to {@code limit} sandboxes after {@code afterId} by id, of one status or all. */
  public List<Sandbox> list(@Nullable Status status, @Nullable String afterId, int limit)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM sandboxes WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (status != null) {
      sql.append(" AND status = ?");
      args.add(status.label());
    }
    if (afterId != null) {
      sql.append(" AND id > ?");
      args.add(afterId);
    }
    sql.append(" ORDER BY id LIMIT ?");
    args.add(limit);
    return many(sql.toString(), args.toArray());
  }

  /** Returns up to {@code limit} pending deletions due by {@code now}, oldest request first. */
  public List<Sandbox> dueForDeletion(long now, int limit) throws SQLException {
    return many(
        "SELECT "
            + COLUMNS
            + " FROM sandboxes WHERE status = 'pending_deletion'"
            + " AND (next_deletion_at IS NULL OR next_deletion_at <= ?)"
            + " ORDER BY deletion_requested_at, id LIMIT ?",
        now,
        limit);
  }

  // ------------------------------------------------------------------ allocation

  /**
   * Claims {@code id} for {@code track} if it is still available: the conditional update that makes
   * allocation exclusive.
   */
  public Claim claim(String id, String track, @Nullable String key, long now) throws SQLException {
    try {
      int n =
          update(
              "UPDATE sandboxes SET status = 'allocated', allocated_to_track = ?, allocated_at = ?,"
                  + " idempotency_key = ?, deletion_requested_at = NULL, deletion_retry_count = 0,"
                  + " next_deletion_at = NULL WHERE id = ? AND status = 'available'",
              track,
              now,
              key,
              id);
      return n == 1 ? Claim.WON : Claim.LOST;
    } catch (SQLException e) {
      if (isUniqueViolation(e)) {
        return Claim.TRACK_HOLDS_ONE;
      }
      throw e;
    }
  }

  private static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return "23505".equals(state) || message.contains("unique constraint failed");
  }

  /**
   * Marks {@code id}, held by {@code track}, for deletion; returns whether this call did (false:
   * not allocated to that track now).
   */
  public boolean markForDeletion(String id, String track, long now) throws SQLException {
    return update(
            "UPDATE sandboxes SET status = 'pending_deletion', deletion_requested_at = ?,"
                + " next_deletion_at = ? WHERE id = ? AND allocated_to_track = ?"
                + " AND status = 'allocated'",
            now,
            now,
            id,
            track)
        == 1;
  }

  /** Moves every allocation made at or before {@code allocatedBy} to pending deletion. */
  public int expire(long allocatedBy, long now) throws SQLException {
    return update(
        "UPDATE sandboxes SET status = 'pending_deletion', deletion_requested_at = ?,"
            + " next_deletion_at = ? WHERE status = 'allocated' AND allocated_at <= ?",
        now,
        now,
        allocatedBy);
  }

  // ------------------------------------------------------------------ cleanup

  /**
   * Takes the deletion of {@code id} for this caller until {@code until}, if it is still pending
   * and due: so two instances never delete one sandbox at once.
   */
  public boolean leaseDeletion(String id, long now, long until) throws SQLException {
    return update(
            "UPDATE sandboxes SET next_deletion_at = ? WHERE id = ? AND status = 'pending_deletion'"
                + " AND (next_deletion_at IS NULL OR next_deletion_at <= ?)",
            until,
            id,
            now)
        == 1;
  }

  /** Forgets {@code id} once the CSP deleted it. */
  public boolean deleted(String id) throws SQLException {
    return update("DELETE FROM sandboxes WHERE id = ? AND status = 'pending_deletion'", id) == 1;
  }

  /**
   * Records a failed CSP deletion of {@code id}: one more retry, due again at {@code nextAt}, or
   * {@code deletion_failed} once {@code maxAttempts} have failed. Returns the new status.
   */
  public Status deletionFailed(String id, long nextAt, int maxAttempts) throws SQLException {
    update(
        "UPDATE sandboxes SET deletion_retry_count = deletion_retry_count + 1,"
            + " next_deletion_at = ?,"
            + " status = CASE WHEN deletion_retry_count + 1 >= ? THEN 'deletion_failed'"
            + " ELSE status END WHERE id = ? AND status = 'pending_deletion'",
        nextAt,
        maxAttempts,
        id);
    return find(id).map(Sandbox::status).orElse(Status.PENDING_DELETION);
  }

  /** Gives back a deletion lease without counting a failure (the CSP was not asked). */
  public void releaseDeletion(String id, long now) throws SQLException {
    update(
        "UPDATE sandboxes SET next_deletion_at = ? WHERE id = ? AND status = 'pending_deletion'",
        now,
        id);
  }

  // ------------------------------------------------------------------ sync

  /** What one sync changed. */
  public record SyncResult(int added, int staled, int revived) {}

  /**
   * Brings the table in line with the CSP's list {@code seen}: new ones are added as available,
   * stale ones seen again become available, and available ones not seen since before {@code now}
   * become stale. Allocations and pending deletions are left alone.
   */
  public SyncResult sync(List<CspSandbox> seen, long now) throws SQLException {
    int added = 0;
    int revived = 0;
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement insert =
                c.prepareStatement(
                    "INSERT INTO sandboxes (id, name, external_id, status, deletion_retry_count,"
                        + " last_synced, created_at) VALUES (?, ?, ?, 'available', 0, ?, ?)"
                        + " ON CONFLICT (id) DO NOTHING");
            PreparedStatement revive =
                c.prepareStatement(
                    "UPDATE sandboxes SET status = 'available', last_synced = ?"
                        + " WHERE id = ? AND status = 'stale'");
            PreparedStatement touch =
                c.prepareStatement("UPDATE sandboxes SET last_synced = ? WHERE id = ?")) {
          for (CspSandbox sandbox : seen) {
            insert.setString(1, sandbox.id());
            insert.setString(2, sandbox.name());
            String externalId = sandbox.externalId();
            if (externalId == null) {
              insert.setNull(3, Types.VARCHAR);
            } else {
              insert.setString(3, externalId);
            }
            insert.setLong(4, now);
            insert.setLong(5, now);
            insert.addBatch();
            revive.setLong(1, now);
            revive.setString(2, sandbox.id());
            revive.addBatch();
            touch.setLong(1, now);
            touch.setString(2, sandbox.id());
            touch.addBatch();
          }
          // one round trip each; the order matters: revive before touch, insert first
          added = count(insert.executeBatch());
          revived = count(revive.executeBatch());
          touch.executeBatch();
        }
        int staled;
        try (PreparedStatement stale =
            c.prepareStatement(
                "UPDATE sandboxes SET status = 'stale' WHERE status = 'available'"
                    + " AND (last_synced IS NULL OR last_synced < ?)")) {
          stale.setLong(1, now);
          staled = stale.executeUpdate();
        }
        c.commit();
        return new SyncResult(added, staled, revived);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static int count(int[] updates) {
    int n = 0;
    for (int u : updates) {
      n += Math.max(u, 0);
    }
    return n;
  }

  // ------------------------------------------------------------------ tokens

  /** A stored token digest. */
  public record StoredToken(String role, String trackId, String sha256) {}

  /** Returns the stored token digests. */
  public List<StoredToken> tokens() throws SQLException {
    List<StoredToken> tokens = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement s =
            c.prepareStatement("SELECT role, track_id, sha256 FROM broker_tokens");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        tokens.add(new StoredToken(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    return tokens;
  }

  /** Stores a token digest unless one exists for that role and track; returns whether it did. */
  public boolean storeToken(String role, String trackId, String sha256, long now)
      throws SQLException {
    return update(
            "INSERT INTO broker_tokens (role, track_id, sha256, created_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (role, track_id) DO NOTHING",
            role,
            trackId,
            sha256,
            now)
        == 1;
  }

  // ------------------------------------------------------------------ plumbing

  private Optional<Sandbox> one(String sql, Object... args) throws SQLException {
    List<Sandbox> rows = many(sql, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  private List<Sandbox> many(String sql, @Nullable Object... args) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      List<Sandbox> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
      return rows;
    }
  }

  private int update(String sql, @Nullable Object... args) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      return s.executeUpdate();
    }
  }

  private static void bind(PreparedStatement s, @Nullable Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object arg = args[i];
      if (arg == null) {
        s.setNull(i + 1, Types.VARCHAR);
      } else if (arg instanceof Long) {
        s.setLong(i + 1, (Long) arg);
      } else if (arg instanceof Integer) {
        s.setInt(i + 1, (Integer) arg);
      } else {
        s.setString(i + 1, arg.toString());
      }
    }
  }

  private static Sandbox row(ResultSet rs) throws SQLException {
    return new Sandbox(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        Status.of(rs.getString(4)),
        rs.getString(5),
        nullableLong(rs, 6),
        nullableLong(rs, 7),
        rs.getInt(8),
        rs.getString(9),
        nullableLong(rs, 10));
  }

  private static @Nullable Long nullableLong(ResultSet rs, int column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }
}
