package dev.lbkit.services.broker;

import static dev.lbkit.services.kit.testing.TestHttp.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.TestHttp;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerRestartTest {
  @TempDir Path dir;

  @Test
  void aRestartOnSqliteKeepsAllocationsAndPendingDeletions() throws Exception {
    RestartCheck.run(new Brokers(), Brokers.sqlite(dir));
  }

  @Test
  void tokensAreGeneratedOncePrintedOnceAndWorkAfterARestart() throws Exception {
    Brokers first = new Brokers();
    String admin;
    try (Broker broker = first.startRaw(Brokers.sqlite(dir), Brokers.mock(3))) {
      admin = RestartCheck.printedToken(first.tokensPrinted(), "admin token");
      assertThat(String.join("\n", first.log)).doesNotContain(admin);
    }
    Brokers second = new Brokers();
    try (Broker broker = second.startRaw(Brokers.sqlite(dir), Brokers.mock(3));
        TestHttp http = TestHttp.of(broker.port())) {
      assertThat(second.tokensPrinted()).isEmpty();
      assertThat(http.get("/v1/admin/stats", bearer(admin)).status()).isEqualTo(200);
    }
  }
}
