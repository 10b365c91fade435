package dev.lbkit.services.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import dev.lbkit.services.kit.testing.JarProcess;
import dev.lbkit.services.kit.testing.TestHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance run, from the jar: {@code target/pool-coordinator.jar} started as the
 * coordinator and (with {@code worker} first) as three reference workers with caps 2, 3 and 4, each
 * in its own JVM. 100 jobs submitted at once all complete, each on one worker only, no worker over
 * its cap, and every output comes back through the coordinator byte for byte.
 */
class PoolJarIT {

  private static final Path JAR = Path.of("target/pool-coordinator.jar");
  private static final Duration START = Duration.ofSeconds(120);
  private static final String CLIENT = "client-token-for-the-jar-test-0001";
  private static final String ADMIN = "admin-token-for-the-jar-test-00001";
  private static final int JOBS = 100;
  private static final int[] CAPS = {2, 3, 4};

  @TempDir Path dir;
  private final List<JarProcess> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(JarProcess::close);
  }

  private JarProcess jar(String... args) throws Exception {
    JarProcess process = JarProcess.start(JAR, List.of(args), Map.of(), dir);
    processes.add(process);
    return process;
  }

  @Test
  void aHundredConcurrentJobsCompleteOnceEachUnderEveryWorkersCapWithTheirOutputsIntact()
      throws Exception {
    List<JarProcess> workers = new ArrayList<>();
    for (int i = 0; i < CAPS.length; i++) {
      workers.add(
          jar(
              "worker",
              "--port",
              "0",
              "--host",
              "127.0.0.1",
              "--key-file",
              "worker" + i + ".pem",
              "--max-concurrent-jobs",
              Integer.toString(CAPS[i])));
    }
    List<Map<String, Object>> allowlist = new ArrayList<>();
    List<Integer> workerPorts = new ArrayList<>();
    for (int i = 0; i < CAPS.length; i++) {
      int port = workers.get(i).awaitPort(START);
      String identity = workers.get(i).awaitLine("\"action\":\"identity\"", START);
      workerPorts.add(port);
      allowlist.add(
          Map.of(
              "endpoint",
              "http://127.0.0.1:" + port,
              "worker_id",
              Json.parse(identity).get("worker_id").asText(),
              "max_concurrent_jobs",
              CAPS[i]));
    }
    Files.writeString(dir.resolve("workers.json"), Json.write(Map.of("workers", allowlist)));
    JarProcess coordinator =
        jar(
            "--workers", "workers.json",
            "--port", "0",
            "--host", "127.0.0.1",
            // generous: four JVMs warming up on a loaded 2-core machine answer slowly at first
            "--health-check-interval", "2",
            "--health-check-timeout", "2",
            "--poll-interval", "0.02",
            "--client-token", CLIENT,
            "--admin-token", ADMIN);
    int port = coordinator.awaitPort(START);
    try (TestHttp http = TestHttp.of(port)) {
      Await.until(
          "three workers proven",
          () ->
              http.get("/pool", TestHttp.bearer(ADMIN)).json().get("healthy_workers").asInt()
                  == CAPS.length);

      Map<String, byte[]> outputs = new HashMap<>();
      List<CompletableFuture<String>> submitted = new ArrayList<>();
      ExecutorService clients = Executors.newFixedThreadPool(16);
      HttpClient client = HttpClient.newBuilder().executor(clients).build();
      try {
        for (int i = 0; i < JOBS; i++) {
          byte[] output = new byte[8_192 + 97 * i];
          new SplittableRandom(i).nextBytes(output);
          String path = "out/result-" + i + ".bin";
          outputs.put(path, output);
          Map<String, Object> job = new LinkedHashMap<>();
          job.put("name", "job-" + i);
          job.put("sleep_ms", 20 + (i % 5) * 20);
          job.put("outputs", Map.of(path, PoolFixture.base64(output)));
          HttpRequest request =
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/submit"))
                  .header("Authorization", "Bearer " + CLIENT)
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(60))
                  .POST(HttpRequest.BodyPublishers.ofString(Json.write(job)))
                  .build();
          submitted.add(
              client
                  .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                  .thenApply(
                      reply -> {
                        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
                        return Json.parse(reply.body()).get("job_id").asText();
                      }));
        }
        List<String> jobIds = new ArrayList<>();
        for (CompletableFuture<String> id : submitted) {
          jobIds.add(id.get());
        }

        for (int i = 0; i < JOBS; i++) {
          String jobId = jobIds.get(i);
          Await.until(
              jobId + " completed",
              () -> status(http, jobId).get("status").asText().equals("completed"),
              () -> "status: " + status(http, jobId));
          JsonNode status = status(http, jobId);
          assertThat(status.get("attempts").asInt()).as(jobId).isEqualTo(1);
          String path = "out/result-" + i + ".bin";
          HttpResponse<byte[]> file =
              client.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/outputs/" + jobId + "/" + path))
                      .header("Authorization", "Bearer " + CLIENT)
                      .timeout(Duration.ofSeconds(60))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
          assertThat(file.statusCode()).isEqualTo(200);
          assertThat(file.body()).as(path).isEqualTo(outputs.get(path));
        }
      } finally {
        clients.shutdownNow();
      }

      long received = 0;
      for (int i = 0; i < CAPS.length; i++) {
        JsonNode health;
        try (TestHttp worker = TestHttp.of(workerPorts.get(i))) {
          health = worker.get("/health").json();
        }
        received += health.get("jobs_received").asLong();
        assertThat(health.get("most_active_jobs").asInt())
            .as("worker " + i)
            .isLessThanOrEqualTo(CAPS[i]);
      }
      assertThat(received).isEqualTo(JOBS); // each job went to exactly one worker, once
      for (JsonNode worker : http.get("/pool", TestHttp.bearer(ADMIN)).json().get("workers")) {
        assertThat(worker.get("failures").asLong()).isZero();
        assertThat(worker.get("active_jobs").asInt()).isZero();
      }
    }
    assertThat(coordinator.terminate(Duration.ofSeconds(60))).isZero();
    assertThat(coordinator.lines())
        .noneMatch(line -> line.contains(CLIENT) || line.contains(ADMIN));
  }

  private static JsonNode status(TestHttp http, String jobId) {
    return http.get("/status/" + jobId, TestHttp.bearer(CLIENT)).json();
  }
}
