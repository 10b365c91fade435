package dev.lbkit.services.pool.worker;

import dev.lbkit.services.pool.WorkerIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Objects;

/**
 * A worker's Ed25519 key in a file, so that its identity survives restarts: an unencrypted PKCS#8
 * PEM block ({@code -----BEGIN PRIVATE KEY-----}), the format sandrun's {@code --worker-key} and
 * OpenSSL use, so either can read the other's key. Created on first use, readable by its owner
 * only, and never overwritten.
 */
public final class KeyFile {

  private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String END = "-----END PRIVATE KEY-----";

  private KeyFile() {}

  /**
   * Returns the key pair in {@code path}, first creating the file with a new key if there is none.
   * Two processes creating the same file at once end up with the same key: the file appears whole,
   * by an atomic rename, and only if it does not exist yet.
   *
   * @throws IOException if the file cannot be read or written
   * @throws IllegalArgumentException if the file holds no Ed25519 private key
   */
  public static KeyPair loadOrCreate(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    if (!Files.exists(path)) {
      create(path);
    }
    return read(path);
  }

  /**
   * Reads the key pair in {@code path}.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if the file holds no Ed25519 private key
   */
  public static KeyPair read(Path path) throws IOException {
    String text = Files.readString(path, StandardCharsets.US_ASCII);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          path + ": no '" + BEGIN + "' block (expected: an Ed25519 private key in PKCS#8 PEM)");
    }
    String base64 = text.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
    try {
      return WorkerIdentity.fromPkcs8(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  private static void create(Path path) throws IOException {
    Path absolute = path.toAbsolutePath();
    Path dir = Objects.requireNonNull(absolute.getParent(), "a file's parent");
    Files.createDirectories(dir);
    KeyPair keys = WorkerIdentity.generate();
    String pem =
        BEGIN
            + "\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(WorkerIdentity.pkcs8(keys.getPrivate()))
            + "\n"
            + END
            + "\n";
    Path temp = Files.createTempFile(dir, ".worker-key", ".tmp");
    try {
      ownerOnly(temp);
      Files.writeString(temp, pem, StandardCharsets.US_ASCII);
      try {
        // ATOMIC_MOVE may replace an existing target on some systems: link first where we can.
        Files.createLink(absolute, temp);
      } catch (FileAlreadyExistsException someoneElseWon) {
        // keep theirs
      } catch (UnsupportedOperationException | IOException noHardLinks) {
        if (!Files.exists(absolute)) {
          moveAtomically(temp, absolute);
        }
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the temp file is private to its user already
    }
  }
}
