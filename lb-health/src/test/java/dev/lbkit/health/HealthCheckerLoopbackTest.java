package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checker on real threads against real HTTP servers on 127.0.0.1: twenty workers, one of which
 * accepts requests and never answers. Only the hanging one goes unhealthy, the balancer stops
 * routing to it, and stopping the checker leaves no thread of its own behind. Waits are bounded by
 * deadlines; nothing sleeps.
 */
class HealthCheckerLoopbackTest {

  private final List<HttpServer> servers = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stopServers() {
    release.countDown();
    servers.forEach(s -> s.stop(0));
  }

  private Server start(String workerId, boolean hang) throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "test-http-" + workerId);
              t.setDaemon(true);
              return t;
            }));
    http.createContext(
        "/health",
        exchange -> {
          if (hang) {
            try {
              release.await(30, TimeUnit.SECONDS); // accept, then say nothing
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          byte[] body = ("{\"worker_id\": \"" + workerId + "\"}").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    http.start();
    servers.add(http);
    return new Server("127.0.0.1", http.getAddress().getPort());
  }

  @Test
  void twentyWorkersOneHangingOnlyTheHangingOneGoesDown() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet()); // other tests' threads
    List<Server> workers = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      workers.add(start("w-" + i, false));
    }
    Server hanging = start("w-hang", true);
    workers.add(hanging);
    LoadBalancer lb = new LoadBalancer(workers);
    CountDownLatch down = new CountDownLatch(1);
    Set<Server> wentDown = java.util.concurrent.ConcurrentHashMap.newKeySet();
    HealthChecker checker =
        HealthChecker.builder()
            .interval(Duration.ofSeconds(1))
            .timeout(Duration.ofMillis(800)) // loose: two slow answers would fail a healthy worker
            .unhealthyThreshold(2)
            .probe(Probe.http("/health", body -> body.contains("\"worker_id\"")))
            .build();
    checker.onUnhealthy(
        s -> {
          wentDown.add(s);
          down.countDown();
        });
    checker.watch(lb);
    checker.start();
    try {
      assertThat(down.await(20, TimeUnit.SECONDS)).as("the hanging worker goes down").isTrue();
      assertThat(wentDown).containsExactly(hanging);
      Set<Server> routed = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        routed.add(lb.route(Request.empty()).orElseThrow());
      }
      assertThat(routed).hasSize(19).doesNotContain(hanging);
    } finally {
      checker.stop();
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertThat(t.isAlive() && t.getName().startsWith("lbkit-health") && !before.contains(t))
          .as("thread %s left running", t.getName())
          .isFalse();
    }
  }
}
