package dev.lbkit.services.broker;

import dev.lbkit.core.testing.FakeClock;
import dev.lbkit.services.broker.csp.CspClient;
import dev.lbkit.services.broker.csp.MockCsp;
import dev.lbkit.services.kit.JsonLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Starts brokers in this JVM for tests: known tokens, fake time, a log kept in memory. */
final class Brokers {
  static final String ADMIN = "admin-token-0123456789abcdef";
  static final String ANY_TRACK = "any-track-token-0123456789abcdef";
  static final String TRACK_A = "track-a-token-0123456789abcdef";
  static final String TRACK_B = "track-b-token-0123456789abcdef";
  static final long EPOCH = 1_800_000_000_000L;

  final FakeClock clock = new FakeClock();
  final BrokerTime time = new BrokerTime(clock, EPOCH);
  final List<String> log = new CopyOnWriteArrayList<>();
  final ByteArrayOutputStream tokensOut = new ByteArrayOutputStream();

  static String sqlite(Path dir) {
    return "jdbc:sqlite:" + dir.resolve("broker.db");
  }

  /** Starts a broker on {@code db} with the test tokens and {@code args} added. */
  Broker start(String db, CspClient csp, String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--admin-token", ADMIN,
                "--track-token", "*=" + ANY_TRACK,
                "--track-token", "track-a=" + TRACK_A,
                "--track-token", "track-b=" + TRACK_B));
    all.addAll(List.of(args));
    return startRaw(db, csp, all.toArray(new String[0]));
  }

  /** Starts a broker with exactly {@code args} (plus --port 0 --db db). */
  Broker startRaw(String db, CspClient csp, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--port", "0", "--db", db));
    all.addAll(List.of(args));
    BrokerOptions.Config config =
        BrokerOptions.config(BrokerOptions.OPTIONS.parse(all.toArray(new String[0]), Map.of()))
            .withCspRetry(1, Duration.ofMillis(1));
    return Broker.start(
        config,
        new Broker.Setup(
            time,
            csp,
            JsonLog.to("sandbox-broker", log::add),
            new PrintStream(tokensOut, true, StandardCharsets.UTF_8),
            false));
  }

  static MockCsp mock(int n) {
    return new MockCsp(n);
  }

  String tokensPrinted() {
    return tokensOut.toString(StandardCharsets.UTF_8);
  }
}
