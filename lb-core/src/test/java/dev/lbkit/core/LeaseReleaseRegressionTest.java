package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What a closing lease owes the caller: its counts in place before anything it ends is seen. */
class LeaseReleaseRegressionTest {

  /**
   * Closing the last lease of a draining server completes the drain on the closing thread. A
   * continuation of the drain future (a shutdown hook reporting the server's final numbers) must
   * see that lease counted: it was closed before the drain could end.
   */
  @Test
  void aDrainsContinuationSeesItsLastLeaseCounted() {
    List<Server> all = servers(2);
    LoadBalancer lb = new LoadBalancer(all);
    Lease ok = lb.acquire(path("/a"));
    Lease failed = lb.acquire(path("/b"));
    Server draining = failed.server();
    ok.close();
    AtomicReference<Stats> atDrainEnd = new AtomicReference<>();
    var unused = lb.drain(draining).thenRun(() -> atDrainEnd.set(lb.stats()));

    failed.fail(new IOException("reset"));
    failed.close();

    assertThat(atDrainEnd.get()).as("the drain completed").isNotNull();
    assertThat(atDrainEnd.get().totalCompleted()).isEqualTo(2);
    assertThat(atDrainEnd.get().totalErrors()).isEqualTo(1);
    assertThat(atDrainEnd.get().servers()).doesNotContainKey(draining.id());
  }

  /**
   * A ticker promises only that differences mean something; one that reads a little earlier at
   * close than at acquire (a coarse clock refreshed by another thread, a fake clock set back) must
   * not make {@code close()} throw: under try-with-resources, or in {@code execute}, that exception
   * would replace the call's own result. PEAK_EWMA's estimates refused the negative latency.
   */
  @Test
  void aLeaseClosedWhenTheTickerReadsEarlierClosesQuietlyUnderPeakEwma() {
    FakeTicker ticker = new FakeTicker(1_000_000);
    LoadBalancer lb =
        LoadBalancer.builder(servers(3)).algorithm(Algorithm.PEAK_EWMA).ticker(ticker).build();
    Lease lease = lb.acquire(path("/a"));
    ticker.setNanos(999_990);

    lease.close();

    assertThat(lb.stats().totalCompleted()).isEqualTo(1);
    assertThat(lease.server().activeConnections()).isZero();
    ticker.setNanos(2_000_000);
    String result = lb.execute(path("/b"), s -> "ok");
    assertThat(result).isEqualTo("ok");
  }
}
