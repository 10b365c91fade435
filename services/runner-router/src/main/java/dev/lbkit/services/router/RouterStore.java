package dev.lbkit.services.router;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The router's persistent state, {@code cache.db} in the cache directory (SQLite): completed
 * results by key, and the job table (job id to runner). One connection, its use serialized by this
 * object's monitor; SQLite's write-ahead log keeps each write durable and cheap. Thread-safe.
 */
final class RouterStore implements AutoCloseable {

  private final Connection db;

  private RouterStore(Connection db) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) {@code cache.db} in {@code dir}, creating {@code dir} too.
   *
   * @throws SQLException if the database cannot be opened or its tables created
   */
  static RouterStore open(Path dir) throws SQLException {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create the cache directory " + dir + ": " + e, e);
    }
    Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cache.db"));
    try (Statement s = db.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("PRAGMA busy_timeout=5000");
      s.execute(
          "CREATE TABLE IF NOT EXISTS results (repo_url TEXT NOT NULL, branch TEXT NOT NULL,"
              + " commit_sha TEXT NOT NULL, path TEXT NOT NULL, weight_class TEXT NOT NULL,"
              + " metrics TEXT NOT NULL, created_at INTEGER NOT NULL,"
              + " PRIMARY KEY (repo_url, branch, commit_sha, path, weight_class))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS jobs (job_id TEXT PRIMARY KEY, runner TEXT,"
              + " remote_id TEXT NOT NULL, repo_url TEXT NOT NULL, branch TEXT NOT NULL,"
              + " commit_sha TEXT NOT NULL, path TEXT NOT NULL, weight_class TEXT NOT NULL,"
              + " created_at INTEGER NOT NULL)");
    } catch (SQLException e) {
      db.close();
      throw e;
    }
    return new RouterStore(db);
  }

  // ---------------------------------------------------------------- results

  synchronized Optional<CachedResult> result(ResultKey key) throws SQLException {
    try (PreparedStatement s =
        db.prepareStatement(
            "SELECT metrics, created_at FROM results WHERE repo_url = ? AND branch = ?"
                + " AND commit_sha = ? AND path = ? AND weight_class = ?")) {
      bindKey(s, 1, key);
      try (ResultSet r = s.executeQuery()) {
        return r.next()
            ? Optional.of(new CachedResult(key, r.getString(1), r.getLong(2)))
            : Optional.empty();
      }
    }
  }

  synchronized void putResult(CachedResult result) throws SQLException {
    try (PreparedStatement s =
        db.prepareStatement(
            "INSERT OR REPLACE INTO results (repo_url, branch, commit_sha, path, weight_class,"
                + " metrics, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      bindKey(s, 1, result.key());
      s.setString(6, result.metricsJson());
      s.setLong(7, result.createdAtMillis());
      s.executeUpdate();
    }
  }

  synchronized List<CachedResult> results() throws SQLException {
    List<CachedResult> all = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT repo_url, branch, commit_sha, path, weight_class, metrics, created_at"
                    + " FROM results ORDER BY created_at")) {
      while (r.next()) {
        all.add(new CachedResult(readKey(r, 1), r.getString(6), r.getLong(7)));
      }
    }
    return all;
  }

  /** Deletes the results stored at or before {@code cutoffMillis}; returns how many. */
  synchronized int deleteResultsBefore(long cutoffMillis) throws SQLException {
    try (PreparedStatement s = db.prepareStatement("DELETE FROM results WHERE created_at <= ?")) {
      s.setLong(1, cutoffMillis);
      return s.executeUpdate();
    }
  }

  // ---------------------------------------------------------------- jobs

  synchronized void putJob(JobRoute job) throws SQLException {
    try (PreparedStatement s =
        db.prepareStatement(
            "INSERT OR REPLACE INTO jobs (job_id, runner, remote_id, repo_url, branch,"
                + " commit_sha, path, weight_class, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, job.jobId());
      s.setString(2, job.runner());
      s.setString(3, job.remoteId());
      bindKey(s, 4, job.key());
      s.setLong(9, job.createdAtMillis());
      s.executeUpdate();
    }
  }

  synchronized void deleteJob(String jobId) throws SQLException {
    try (PreparedStatement s = db.prepareStatement("DELETE FROM jobs WHERE job_id = ?")) {
      s.setString(1, jobId);
      s.executeUpdate();
    }
  }

  synchronized List<JobRoute> jobs() throws SQLException {
    List<JobRoute> all = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT job_id, runner, remote_id, repo_url, branch, commit_sha, path,"
                    + " weight_class, created_at FROM jobs")) {
      while (r.next()) {
        @Nullable String runner = r.getString(2);
        all.add(new JobRoute(r.getString(1), runner, r.getString(3), readKey(r, 4), r.getLong(9)));
      }
    }
    return all;
  }

  /** Deletes the jobs taken before {@code cutoffMillis}; returns how many. */
  synchronized int deleteJobsBefore(long cutoffMillis) throws SQLException {
    try (PreparedStatement s = db.prepareStatement("DELETE FROM jobs WHERE created_at < ?")) {
      s.setLong(1, cutoffMillis);
      return s.executeUpdate();
    }
  }

  // ---------------------------------------------------------------- plumbing

  private static void bindKey(PreparedStatement s, int first, ResultKey key) throws SQLException {
    s.setString(first, key.repoUrl());
    s.setString(first + 1, key.branch());
    s.setString(first + 2, key.commit());
    s.setString(first + 3, key.path());
    s.setString(first + 4, key.weightClass());
  }

  private static ResultKey readKey(ResultSet r, int first) throws SQLException {
    return new ResultKey(
        r.getString(first),
        r.getString(first + 1),
        r.getString(first + 2),
        r.getString(first + 3),
        r.getString(first + 4));
  }

  @Override
  public synchronized void close() throws SQLException {
    db.close();
  }
}
