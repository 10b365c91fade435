package dev.lbkit.core;

import static dev.lbkit.core.Racers.thread;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The server side of Prequal: counting requests in flight and estimating latency by RIF. */
class LoadReporterTest {

  private final FakeTicker ticker = new FakeTicker(1L << 40);
  private final LoadReporter reporter = LoadReporter.create(ticker);

  @Test
  void countsRequestsInFlightAndReportsTheLatencyOfTheirRifGroup() {
    assertThat(reporter.snapshot()).isEqualTo(new LoadReport(0, 0));

    long first = reporter.begin(); // arrives at RIF 0
    ticker.advance(Duration.ofMillis(10));
    assertThat(reporter.requestsInFlight()).isEqualTo(1);
    reporter.end(first);
    assertThat(reporter.snapshot().requestsInFlight()).isZero();
    assertThat(reporter.latencyEstimateNanos(0)).isBetween(9_999_968L, 10_000_000L);

    long[] tokens = new long[4]; // arrive at RIF 0, 1, 2, 3
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = reporter.begin();
    }
    ticker.advance(Duration.ofMillis(40));
    for (long token : tokens) {
      reporter.end(token);
    }
    // RIF 2 and 3 share a group, first filled with 40 ms, then moved 1/8 towards 40 ms again.
    assertThat(reporter.latencyEstimateNanos(3)).isBetween(39_999_968L, 40_000_000L);
    // RIF 0's group moved 1/8 of the way from 10 ms to 40 ms.
    assertThat(reporter.latencyEstimateNanos(0)).isBetween(13_749_900L, 13_750_000L);
    // No request ever found 100 in flight: the nearest group with an estimate answers.
    assertThat(reporter.latencyEstimateNanos(100)).isEqualTo(reporter.latencyEstimateNanos(3));
  }

  @Test
  void theCountNeverGoesBelowZero() {
    long token = reporter.begin();
    reporter.end(token);
    reporter.end(token);
    assertThat(reporter.requestsInFlight()).isZero();
  }

  @Test // race: begin and end from many threads at once must neither lose nor invent a request
  void theCountReturnsToZeroAfterConcurrentRequests() throws Exception {
    LoadReporter shared = LoadReporter.create();
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          thread(
              start,
              failures::add,
              () -> {
                for (int i = 0; i < 50_000; i++) {
                  long token = shared.begin();
                  LoadReport report = shared.snapshot();
                  assertThat(report.requestsInFlight()).isBetween(1, 4);
                  shared.end(token);
                }
              }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(30).toMillis());
    }
    assertThat(failures).isEmpty();
    assertThat(shared.requestsInFlight()).isZero();
    assertThat(shared.latencyEstimateNanos(0)).isPositive();
  }
}
