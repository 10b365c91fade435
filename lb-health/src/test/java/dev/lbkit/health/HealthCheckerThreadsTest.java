package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.lbkit.core.Server;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Item 6 of issue 13: a checker's HTTP probes share one client, built on threads the checker owns,
 * and {@code stop()} leaves no thread behind: neither the checker's own nor the HTTP client's
 * (whose selector thread is not made by any executor we could pass it). Every JVM thread is listed,
 * by name and by thread group, not only those named {@code lbkit-health-*}.
 */
class HealthCheckerThreadsTest {

  private static final int SERVERS = 20;
  private static final int CYCLES = 100;

  private final List<HttpServer> http = new ArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();

  @AfterEach
  void stopServers() {
    http.forEach(s -> s.stop(0));
  }

  private Server start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/health",
        exchange -> {
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
          answered.incrementAndGet();
        });
    server.start(); // its dispatcher threads start now, before the threads are listed
    http.add(server);
    return new Server("127.0.0.1", server.getAddress().getPort());
  }

  @Test
  void aHundredStartStopCyclesOfTwentyHttpProbesLeaveNoThreadBehind() throws Exception {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      servers.add(start());
    }
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      HealthChecker checker =
          HealthChecker.builder()
              .interval(Duration.ofSeconds(10))
              .timeout(Duration.ofSeconds(10))
              .jitter(0) // every server's first round comes at once
              .probe(Probe.http("/health")) // a new probe each cycle, as a new checker would have
              .build();
      checker.watch(servers);
      int target = answered.get() + SERVERS;
      checker.start();
      Await.until("cycle " + cycle + ": every server probed", () -> answered.get() >= target);
      checker.stop();
    }
    Await.until("no thread left behind", () -> newThreads(before).isEmpty());
    assertThat(newThreads(before)).isEmpty();
  }

  /** Threads alive now that were not in {@code before}, each as "name [group]". */
  private static Set<String> newThreads(Set<Thread> before) {
    Set<String> left = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && !before.contains(t)) {
        ThreadGroup group = t.getThreadGroup();
        left.add(t.getName() + " [" + (group == null ? "ended" : group.getName()) + "]");
      }
    }
    return left;
  }
}
