package dev.lbkit.services.broker;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A load tool: {@code --tracks N} tracks (1,000 by default) each ask a running broker for a sandbox
 * at once, and the allocation latencies seen by the clients are summed up (p50, p90, p99, max,
 * mean). Run it from the jar:
 *
 * <pre>
 * java -cp services/sandbox-broker/target/sandbox-broker.jar dev.lbkit.services.broker.LoadRun \
 *     --url http://127.0.0.1:8080 --token TRACK_TOKEN --tracks 1000
 * </pre>
 *
 * The token must be a track token for any track ({@code *}, the generated one), since each request
 * is from another track ({@code load-<run>-<i>}).
 */
public final class LoadRun {
  private LoadRun() {}

  /** Runs the load; see the class documentation. */
  @SuppressWarnings("SystemOut") // a command-line tool's report
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String url = options.getOrDefault("--url", "http://127.0.0.1:8080");
    String token = options.get("--token");
    int tracks = Integer.parseInt(options.getOrDefault("--tracks", "1000"));
    PrintStream out = System.out;
    if (token == null) {
      out.println("usage: LoadRun --url URL --token TRACK_TOKEN [--tracks N]");
      System.exit(2);
      return;
    }
    String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    ExecutorService executor = Executors.newFixedThreadPool(4);
    try {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(30))
              .executor(executor)
              .build();
      long[] latencies = new long[tracks];
      int[] statuses = new int[tracks];
      List<CompletableFuture<Void>> all = new ArrayList<>(tracks);
      long start = System.nanoTime();
      for (int i = 0; i < tracks; i++) {
        int n = i;
        HttpRequest request =
            HttpRequest.newBuilder(URI.create(url + "/v1/allocate"))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token)
                .header("X-Track-ID", "load-" + run + "-" + i)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        long sent = System.nanoTime();
        all.add(
            client
                .sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle(
                    (response, failure) -> {
                      latencies[n] = System.nanoTime() - sent;
                      statuses[n] = failure == null ? response.statusCode() : -1;
                      return null;
                    }));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
      long wall = System.nanoTime() - start;
      Map<Integer, Integer> byStatus = new TreeMap<>();
      for (int s : statuses) {
        byStatus.merge(s, 1, Integer::sum);
      }
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
      out.printf(
          "tracks %d, statuses %s, wall %.0f ms, latency ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f,"
              + " mean %.1f%n",
          tracks,
          byStatus,
          wall / 1e6,
          at(sorted, 0.50),
          at(sorted, 0.90),
          at(sorted, 0.99),
          sorted[sorted.length - 1] / 1e6,
          mean);
    } finally {
      executor.shutdownNow();
    }
  }

  private static double at(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }
}
