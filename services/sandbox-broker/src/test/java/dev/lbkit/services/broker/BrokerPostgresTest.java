package dev.lbkit.services.broker;

import static dev.lbkit.services.broker.Brokers.ANY_TRACK;
import static dev.lbkit.services.broker.Brokers.TRACK_A;
import static dev.lbkit.services.kit.testing.TestHttp.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.broker.store.Status;
import dev.lbkit.services.kit.testing.TestHttp;
import dev.lbkit.services.kit.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two broker instances, each its own Jetty server, on one real PostgreSQL. */
class BrokerPostgresTest {
  /** Pool size and concurrent allocations per round. */
  private static final int N = Integer.getInteger("broker.pg.n", 1000);

  /**
   * Rounds: 1 in verify (a round takes 10-20 s on a loaded 2-core machine); the 3 rounds
   * with {@code -Dbroker.pg.rounds=3} (the command is in the service's README).
   */
  private static final int ROUNDS = Integer.getInteger("broker.pg.rounds", 1);

  private static TestPostgres pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Test
  void twoInstancesHandEachSandboxOutAtMostOnce() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) {
      long s0 = System.nanoTime();
      String url = pg.createDatabase("round" + round);
      Brokers brokers = new Brokers();
      try (Broker a = brokers.start(url, Brokers.mock(N));
          Broker b = brokers.start(url, Brokers.mock(N))) {
        long startMillis = (System.nanoTime() - s0) / 1_000_000;
        long t0 = System.nanoTime();
        List<Allocations.Answer> answers =
            Allocations.concurrently(N, "r" + round, ANY_TRACK, a.port(), b.port());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        Set<String> ids = new HashSet<>();
        for (Allocations.Answer answer : answers) {
          assertThat(answer.status()).as("round %d: %s", round, answer.body()).isEqualTo(201);
          assertThat(ids.add(answer.body().get("sandbox_id").asText())).isTrue();
        }
        assertThat(ids).hasSize(N);
        try (Connection c = DriverManager.getConnection(url);
            Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT COUNT(*), COUNT(DISTINCT allocated_to_track), COUNT(DISTINCT id)"
                        + " FROM sandboxes WHERE status = 'allocated'")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(N);
          assertThat(rs.getInt(2)).isEqualTo(N);
          assertThat(rs.getInt(3)).isEqualTo(N);
        }
        brokers.log.clear();
        // a line per round in the test's output: how long the round took (not asserted)
        System.err.printf(
            "round %d: 2 instances started in %d ms, %d concurrent allocations in %d ms%n",
            round, startMillis, N, millis);
        for (Broker broker : List.of(a, b)) {
          try (TestHttp http = TestHttp.of(broker.port())) {
            TestHttp.Reply none =
                http.post("/v1/allocate", bearer(ANY_TRACK, "X-Track-ID", "one-too-many"));
            assertThat(none.status()).isEqualTo(503);
            assertThat(none.json().get("error").asText()).isEqualTo("no_sandboxes");
          }
        }
      }
    }
  }

  @Test
  void aRestartKeepsAllocationsAndPendingDeletions() throws Exception {
    String url = pg.createDatabase("restart");
    RestartCheck.run(new Brokers(), url);
  }

  @Test
  void generatedTokensAreSharedByInstancesAndStoredHashed() throws Exception {
    String url = pg.createDatabase("tokens");
    Brokers brokers = new Brokers();
    try (Broker a = brokers.startRaw(url, Brokers.mock(5));
        Broker b = brokers.startRaw(url, Brokers.mock(5))) {
      String printed = brokers.tokensPrinted();
      String track = RestartCheck.printedToken(printed, "track token");
      assertThat(printed.lines().filter(l -> l.contains("track token"))).hasSize(1);
      try (TestHttp http = TestHttp.of(b.port())) {
        assertThat(http.post("/v1/allocate", bearer(track, "X-Track-ID", "any")).status())
            .isEqualTo(201);
        assertThat(http.post("/v1/allocate", bearer(TRACK_A, "X-Track-ID", "track-a")).status())
            .isEqualTo(401);
      }
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT sha256 FROM broker_tokens")) {
        while (rs.next()) {
          assertThat(rs.getString(1)).hasSize(64).isNotEqualTo(track);
        }
      }
      assertThat(a.store().counts().get(Status.ALLOCATED)).isEqualTo(1);
    }
  }
}
