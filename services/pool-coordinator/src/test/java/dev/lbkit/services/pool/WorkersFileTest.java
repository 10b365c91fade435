package dev.lbkit.services.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkersFileTest {

  private final PublicKey a = WorkerIdentity.generate().getPublic();
  private final PublicKey b = WorkerIdentity.generate().getPublic();
  private final String rawA = WorkerIdentity.workerId(a);
  private final String x509B = Base64.getEncoder().encodeToString(b.getEncoded());

  @Test
  void readsTheIssuesShapeWithKeysInEitherEncoding() {
    List<WorkerSpec> workers =
        WorkersFile.parse(
            "{\"workers\": ["
                + "{\"endpoint\": \"http://10.0.0.1:8443\", \"worker_id\": \""
                + rawA
                + "\", \"max_concurrent_jobs\": 3},"
                + "{\"endpoint\": \"http://worker-b:9000/\", \"worker_id\": \""
                + x509B
                + "\", \"max_concurrent_jobs\": 1, \"identity\": \"echo\"}]}");

    assertThat(workers)
        .containsExactly(
            new WorkerSpec(
                URI.create("http://10.0.0.1:8443"), a, 3, WorkerSpec.IdentityCheck.CHALLENGE),
            new WorkerSpec(
                URI.create("http://worker-b:9000"), b, 1, WorkerSpec.IdentityCheck.ECHO));
    assertThat(workers.get(1).workerId()).isEqualTo(WorkerIdentity.workerId(b));
    assertThat(workers.get(1).server().id()).isEqualTo("worker-b:9000");
  }

  @Test
  void readsTheSeedsBareArrayWithItsDefaultCap() {
    List<WorkerSpec> workers =
        WorkersFile.parse(
            "[{\"worker_id\": \"" + rawA + "\", \"endpoint\": \"http://192.168.1.100:8443\"}]");

    assertThat(workers).hasSize(1);
    assertThat(workers.get(0).maxConcurrentJobs()).isEqualTo(4);
    assertThat(workers.get(0).identity()).isEqualTo(WorkerSpec.IdentityCheck.CHALLENGE);
  }

  @Test
  void loadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("workers.json");
    Files.writeString(
        file, "{\"workers\": [{\"endpoint\": \"http://h:1\", \"worker_id\": \"" + rawA + "\"}]}");
    assertThat(WorkersFile.load(file)).hasSize(1);

    Files.writeString(file, "{\"workers\": []}");
    assertThatThrownBy(() -> WorkersFile.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": workers: [] (expected: at least one worker)");
  }

  @Test
  void refusesWhatItCannotUseNamingTheFieldAndTheValue() {
    String ok = "\"worker_id\": \"" + rawA + "\"";
    assertBad("not json", "not JSON (");
    assertBad("{\"nodes\": []}", "workers: missing (expected: {\"workers\": [...]}");
    assertBad("[7]", "workers[0]: 7 (expected: an object)");
    assertBad("[{" + ok + "}]", "workers[0].endpoint: missing (expected: a string)");
    assertBad(
        "[{\"endpoint\": \"ftp://h:1\", " + ok + "}]",
        "workers[0].endpoint: 'ftp://h:1' (expected: http://host:port)");
    assertBad(
        "[{\"endpoint\": \"http://h:1/api\", " + ok + "}]",
        "workers[0].endpoint: 'http://h:1/api' (expected: http://host:port");
    assertBad(
        "[{\"endpoint\": \"http://h:1\", \"worker_id\": \"abc\"}]",
        "workers[0].worker_id: 'abc' (expected: base64 of a raw 32-byte Ed25519 public key");
    assertBad(
        "[{\"endpoint\": \"http://h:1\", " + ok + ", \"max_concurrent_jobs\": 0}]",
        "workers[0].max_concurrent_jobs: 0 (expected: >= 1)");
    assertBad(
        "[{\"endpoint\": \"http://h:1\", " + ok + ", \"max_concurrent_jobs\": 1.5}]",
        "workers[0].max_concurrent_jobs: 1.5 (expected: an integer >= 1)");
    assertBad(
        "[{\"endpoint\": \"http://h:1\", " + ok + ", \"identity\": \"trust-me\"}]",
        "workers[0].identity: \"trust-me\" (expected: \"challenge\" or \"echo\")");
    assertBad(
        "[{\"endpoint\": \"http://h:1\", " + ok + ", \"identitty\": \"echo\"}]",
        "workers[0].identitty: unknown field");
    assertBad(
        "[{\"endpoint\": \"http://h:1\", " + ok + "}, {\"endpoint\": \"http://h:1/\", " + ok + "}]",
        "workers[1].endpoint: 'http://h:1' (expected: each endpoint listed once)");
  }

  private static void assertBad(String json, String messageStart) {
    assertThatThrownBy(() -> WorkersFile.parse(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(messageStart);
  }
}
