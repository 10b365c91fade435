package dev.lbkit.services.broker;

import static dev.lbkit.services.kit.testing.TestHttp.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.JarProcess;
import dev.lbkit.services.kit.testing.TestHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/sandbox-broker.jar}, as a user runs it (after package, in verify). */
class BrokerJarIT {
  private static final Path JAR = Paths.get("target", "sandbox-broker.jar");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void runsWithDefaultsPrintsTokensOnceAndStopsCleanlyOnSigterm() throws Exception {
    String admin;
    try (JarProcess broker = JarProcess.start(JAR, List.of("--port", "0"), Map.of(), dir)) {
      int port = broker.awaitPort(WAIT);
      admin = RestartCheck.printedToken(String.join("\n", broker.lines()), "admin token");
      String track = RestartCheck.printedToken(String.join("\n", broker.lines()), "track token");
      assertThat(Files.exists(dir.resolve("broker.db"))).isTrue(); // the default store
      try (TestHttp http = TestHttp.of(port)) {
        assertThat(http.get("/healthz").json().get("status").asText()).isEqualTo("healthy");
        assertThat(http.get("/v1/admin/stats", bearer(admin)).json().get("available").asInt())
            .isEqualTo(100); // --mock-sandboxes defaults to 100
        assertThat(http.post("/v1/allocate", bearer(track, "X-Track-ID", "t1")).status())
            .isEqualTo(201);
      }
      assertThat(broker.terminate(WAIT)).isEqualTo(0);
      assertThat(broker.lines())
          .as("%s", broker.lines())
          .anyMatch(l -> l.contains("\"action\":\"stopped\""));
      long mentions = broker.lines().stream().filter(l -> l.contains(admin)).count();
      assertThat(mentions).isEqualTo(1); // printed once, never logged
    }
    // environment variables mirror the options; the stored tokens survive the restart
    try (JarProcess again =
        JarProcess.start(
            JAR, List.of(), Map.of("BROKER_PORT", "0", "BROKER_CANDIDATES", "5"), dir)) {
      int port = again.awaitPort(WAIT);
      assertThat(again.lines()).noneMatch(l -> l.contains("admin token"));
      try (TestHttp http = TestHttp.of(port)) {
        assertThat(
                http.get("/v1/admin/sandboxes?status=allocated", bearer(admin))
                    .json()
                    .get("count")
                    .asInt())
            .isEqualTo(1);
      }
      assertThat(again.terminate(WAIT)).isEqualTo(0);
    }
  }

  @Test
  void helpListsEveryOptionAndABadValueExitsWith2() throws Exception {
    try (JarProcess help = JarProcess.start(JAR, List.of("--help"), Map.of(), dir)) {
      assertThat(help.awaitExit(WAIT)).isEqualTo(0);
      String usage = String.join("\n", help.lines());
      for (String option :
          List.of(
              "--port",
              "--db",
              "--admin-token",
              "--track-token",
              "--mock-sandboxes",
              "--csp-url",
              "--lease-ttl-seconds",
              "--candidates",
              "--sync-interval-seconds",
              "--cleanup-interval-seconds",
              "--track-rate-limit",
              "BROKER_PORT",
              "BROKER_DB")) {
        assertThat(usage).contains(option);
      }
    }
    try (JarProcess bad = JarProcess.start(JAR, List.of("--port", "http"), Map.of(), dir)) {
      assertThat(bad.awaitExit(WAIT)).isEqualTo(2);
      assertThat(bad.lines())
          .containsExactly("sandbox-broker: --port: 'http' (expected: an integer in 0..65535)");
    }
  }
}
