package dev.lbkit.services.pool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.services.pool.WorkerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

  @TempDir Path dir;

  @Test
  void theKeyIsCreatedOnFirstUseAndTheSameAfterwards() throws Exception {
    Path file = dir.resolve("keys/worker.pem");

    KeyPair first = KeyFile.loadOrCreate(file);
    KeyPair again = KeyFile.loadOrCreate(file);

    assertThat(again.getPublic()).isEqualTo(first.getPublic());
    assertThat(Files.readString(file))
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.list(file.getParent())).containsExactly(file); // no temp file left
  }

  @Test
  void readsAnOpenSslStylePem() throws Exception {
    KeyPair keys = WorkerIdentity.generate();
    Path file = dir.resolve("openssl.pem");
    Files.writeString(
        file,
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");

    assertThat(KeyFile.loadOrCreate(file).getPublic()).isEqualTo(keys.getPublic());
  }

  @Test
  void aFileWithoutAKeyIsRefusedNotReplaced() throws Exception {
    Path file = dir.resolve("junk.pem");
    Files.writeString(file, "hello");

    assertThatThrownBy(() -> KeyFile.loadOrCreate(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no '-----BEGIN PRIVATE KEY-----' block");
    assertThat(Files.readString(file)).isEqualTo("hello");
  }
}
