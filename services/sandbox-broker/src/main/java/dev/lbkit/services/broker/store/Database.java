package dev.lbkit.services.broker.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * The broker's database: a HikariCP pool over a JDBC URL, SQLite ({@code jdbc:sqlite:...}) or
 * PostgreSQL ({@code jdbc:postgresql://...}). SQLite gets one connection (its writes are serial
 * anyway, and one connection never meets {@code SQLITE_BUSY}), in WAL mode; PostgreSQL gets {@code
 * poolSize} connections. Thread-safe.
 */
public final class Database implements AutoCloseable {

  /** The SQL dialects the store speaks; they differ only where noted. */
  public enum Dialect {
    /** xerial sqlite-jdbc. */
    SQLITE,
    /** PostgreSQL. */
    POSTGRES
  }

  private final HikariDataSource pool;
  private final Dialect dialect;

  private Database(HikariDataSource pool, Dialect dialect) {
    this.pool = pool;
    this.dialect = dialect;
  }

  /**
   * Opens a pool of {@code url}.
   *
   * @throws IllegalArgumentException if the URL is neither SQLite nor PostgreSQL
   */
  public static Database open(String url, int poolSize) {
    Dialect dialect = dialectOf(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setPoolName("broker-db");
    config.setConnectionTimeout(10_000);
    config.setValidationTimeout(2_000);
    config.setInitializationFailTimeout(
        -1); // start even when the database is down: /readyz says so
    if (dialect == Dialect.SQLITE) {
      config.setMaximumPoolSize(1);
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("busy_timeout", "10000");
      config.addDataSourceProperty("synchronous", "NORMAL");
    } else {
      config.setMaximumPoolSize(poolSize);
      config.setMinimumIdle(Math.min(2, poolSize));
    }
    return new Database(new HikariDataSource(config), dialect);
  }

  /** Returns the dialect of a JDBC URL, or throws naming it. */
  public static Dialect dialectOf(String url) {
    Objects.requireNonNull(url, "url");
    if (url.startsWith("jdbc:sqlite:")) {
      return Dialect.SQLITE;
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return Dialect.POSTGRES;
    }
    throw new IllegalArgumentException("a jdbc:sqlite: or jdbc:postgresql: URL");
  }

  /** Returns a pooled connection (auto-commit on); close it to give it back. */
  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /** Returns the dialect. */
  public Dialect dialect() {
    return dialect;
  }

  /** Returns null when the database answers {@code SELECT 1}, else why not (for /readyz). */
  public @org.jspecify.annotations.Nullable String check() {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(2);
      s.execute("SELECT 1");
      return null;
    } catch (SQLException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
