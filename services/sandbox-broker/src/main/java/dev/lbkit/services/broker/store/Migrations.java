package dev.lbkit.services.broker.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema's versions, applied in order, each once, recorded in {@code broker_schema}.
 *
 * <p>Why not Flyway: the schema is two short scripts that run unchanged on SQLite and PostgreSQL,
 * and a table of applied versions plus a lock covers them, where Flyway 13 would add several
 * megabytes and an engine module per database to the jar.
 *
 * <p>Several instances may start at once on one PostgreSQL: the whole migration runs in one
 * transaction under an advisory lock, so one applies each version and the others see it done.
 * PostgreSQL's DDL is transactional; on SQLite the transaction holds the file's write lock.
 */
public final class Migrations {
  private static final long LOCK_ID = 0x6c626b6974627231L; // "lbkitbr1"

  /** A version: its number, description and statements. */
  record Version(int number, String description, List<String> statements) {}

  static final List<Version> VERSIONS =
      List.of(
          new Version(
              1,
              "sandboxes and tokens",
              List.of(
                  "CREATE TABLE sandboxes ("
                      + " id VARCHAR(128) PRIMARY KEY,"
                      + " name VARCHAR(256) NOT NULL,"
                      + " external_id VARCHAR(256),"
                      + " status VARCHAR(32) NOT NULL,"
                      + " allocated_to_track VARCHAR(128),"
                      + " allocated_at BIGINT,"
                      + " deletion_requested_at BIGINT,"
                      + " deletion_retry_count INTEGER NOT NULL DEFAULT 0,"
                      + " next_deletion_at BIGINT,"
                      + " idempotency_key VARCHAR(256),"
                      + " last_synced BIGINT,"
                      + " created_at BIGINT NOT NULL)",
                  "CREATE INDEX sandboxes_by_status ON sandboxes (status, allocated_at)",
                  // a track holds at most one allocation, whichever instance allocated it
                  "CREATE UNIQUE INDEX sandboxes_one_per_track ON sandboxes (allocated_to_track)"
                      + " WHERE status = 'allocated'",
                  "CREATE INDEX sandboxes_by_key ON sandboxes (allocated_to_track, idempotency_key)",
                  "CREATE TABLE broker_tokens ("
                      + " role VARCHAR(16) NOT NULL,"
                      + " track_id VARCHAR(128) NOT NULL,"
                      + " sha256 CHAR(64) NOT NULL,"
                      + " created_at BIGINT NOT NULL,"
                      + " PRIMARY KEY (role, track_id))")));

  private Migrations() {}

  /** Applies the versions not yet applied; returns how many it applied. */
  public static int migrate(Database db, long nowMillis) throws SQLException {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        if (db.dialect() == Database.Dialect.POSTGRES) {
          s.execute("SELECT pg_advisory_xact_lock(" + LOCK_ID + ")");
        }
        s.execute(
            "CREATE TABLE IF NOT EXISTS broker_schema ("
                + " version INTEGER PRIMARY KEY,"
                + " description VARCHAR(256) NOT NULL,"
                + " applied_at BIGINT NOT NULL)");
        int current = 0;
        try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM broker_schema")) {
          if (rs.next()) {
            current = rs.getInt(1);
          }
        }
        int applied = 0;
        for (Version version : VERSIONS) {
          if (version.number() <= current) {
            continue;
          }
          for (String statement : version.statements()) {
            s.execute(statement);
          }
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO broker_schema (version, description, applied_at) VALUES (?, ?, ?)")) {
            insert.setInt(1, version.number());
            insert.setString(2, version.description());
            insert.setLong(3, nowMillis);
            insert.executeUpdate();
          }
          applied++;
        }
        c.commit();
        return applied;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }
}
