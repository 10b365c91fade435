package dev.lbkit.services.broker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Fires many allocations at once over HTTP, spread round robin over brokers' ports. */
final class Allocations {
  /** One answer. */
  record Answer(int status, JsonNode body) {}

  private Allocations() {}

  /** Sends {@code n} allocations for tracks {@code prefix-0..n-1} at once; waits for all. */
  static List<Answer> concurrently(int n, String prefix, String token, int... ports) {
    ExecutorService executor = Executors.newFixedThreadPool(8);
    try {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(30))
              .executor(executor)
              .build();
      List<CompletableFuture<Answer>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        HttpRequest request =
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports[i % ports.length] + "/v1/allocate"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("X-Track-ID", prefix + "-" + i)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        futures.add(
            client
                .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Answer(r.statusCode(), Json.parse(r.body()))));
      }
      List<Answer> answers = new ArrayList<>(n);
      for (CompletableFuture<Answer> f : futures) {
        answers.add(f.join());
      }
      return answers;
    } finally {
      executor.shutdownNow();
    }
  }
}
