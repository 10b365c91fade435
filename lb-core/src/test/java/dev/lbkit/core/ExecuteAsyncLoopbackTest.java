package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadBalancer#executeAsync} over {@code HttpClient.sendAsync} to real loopback servers: two
 * {@code com.sun.net.httpserver} servers answering their name, and one port that refuses
 * connections (bound, then closed). Every wait is bounded by {@link #BOUND}, which only catches a
 * hang; nothing is timed.
 */
class ExecuteAsyncLoopbackTest {

  private static final Duration BOUND = Duration.ofSeconds(60);

  private final List<HttpServer> httpServers = new ArrayList<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private ExecutorService serverPool;
  private ExecutorService clientPool;
  private HttpClient http;

  @BeforeEach
  void start() {
    serverPool = Executors.newFixedThreadPool(4);
    clientPool = Executors.newFixedThreadPool(2);
    http =
        HttpClient.newBuilder()
            .executor(clientPool)
            .connectTimeout(BOUND)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    httpServers.forEach(s -> s.stop(0));
    serverPool.shutdownNow();
    clientPool.shutdownNow();
    assertThat(serverPool.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(clientPool.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  /** A live server answering 200 with {@code name} to any request. */
  private Server live(String name) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    hits.put(name, new AtomicInteger());
    server.createContext(
        "/",
        exchange -> {
          hits.get(name).incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          byte[] body = name.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(serverPool);
    server.start();
    httpServers.add(server);
    return new Server("127.0.0.1", server.getAddress().getPort());
  }

  /** A loopback port that refuses connections: bound, then closed. */
  private static Server refusing() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new Server("127.0.0.1", socket.getLocalPort());
    }
  }

  private CompletableFuture<String> post(Server server) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + server.id() + "/jobs"))
            .timeout(BOUND)
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(HttpResponse::body);
  }

  @Test
  void thousandConcurrentCallsAllCompleteFailOverFromTheDeadServerAndLeakNoSlot() throws Exception {
    Server dead = refusing();
    Server a = live("a");
    Server b = live("b");
    AtomicInteger deadAttempts = new AtomicInteger();
    AtomicInteger closedLeases = new AtomicInteger();
    LoadBalancer lb =
        LoadBalancer.builder(List.of(dead, a, b))
            .retryBudget(RetryBudget.create(1.0, 1_000, Ticker.system())) // 1,000 at once
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onLeaseClosed(
                      Request request, Server server, long nanos, Throwable failure) {
                    closedLeases.incrementAndGet();
                    if (server.equals(dead)) {
                      assertThat(failure).isNotNull();
                      deadAttempts.incrementAndGet();
                    }
                  }
                })
            .build();
    Request request = Request.builder().method("POST").path("/jobs").build();

    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      calls.add(lb.executeAsync(request, this::post)); // POST: retried only as connect refused
    }
    CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]))
        .get(BOUND.toSeconds(), TimeUnit.SECONDS);

    assertThat(calls).allSatisfy(f -> assertThat(f.join()).isIn("a", "b"));
    assertThat(hits.get("a").get() + hits.get("b").get()).isEqualTo(1_000);
    assertThat(deadAttempts.get()).isGreaterThan(0); // round robin sent it a third of the firsts
    assertThat(closedLeases.get()).isEqualTo(1_000 + deadAttempts.get());
    // Leases close before the futures complete: nothing to wait for.
    assertThat(List.of(dead, a, b)).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    Stats stats = lb.stats();
    assertThat(stats.totalErrors()).isEqualTo(deadAttempts.get());
  }

  @Test
  void cancellingHundredHangingCallsFreesTheirSlotsAndCancelsTheirStages() throws Exception {
    // Accepts connections in the kernel's backlog and never answers: every call hangs.
    try (ServerSocket silent = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
      Server hanging = new Server("127.0.0.1", silent.getLocalPort());
      LoadBalancer lb = LoadBalancer.builder(List.of(hanging)).maxConcurrent(100).build();
      List<CompletableFuture<String>> stages = new ArrayList<>();
      List<CompletableFuture<String>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(
            lb.executeAsync(
                FacadeFixtures.path("/slow"),
                server -> {
                  CompletableFuture<String> stage = post(server);
                  synchronized (stages) {
                    stages.add(stage);
                  }
                  return stage;
                }));
      }
      assertThat(hanging.activeConnections()).isEqualTo(100);
      assertThat(lb.tryAcquire(FacadeFixtures.path("/more"))).isEmpty(); // full

      calls.forEach(f -> f.cancel(true));

      assertThat(hanging.activeConnections()).isZero(); // freed before cancel returned
      // HttpClient's stage fails with its own CancellationException once the request is aborted.
      assertThat(stages).hasSize(100);
      for (CompletableFuture<String> stage : stages) {
        Throwable failure = stage.handle((v, e) -> e).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        assertThat(cause).isInstanceOf(CancellationException.class);
      }
      assertThat(lb.stats().totalErrors()).isEqualTo(100); // a cancelled call is no success
      try (Lease again = lb.acquire(FacadeFixtures.path("/after"))) {
        assertThat(again.server()).isEqualTo(hanging);
      }
    }
  }
}
