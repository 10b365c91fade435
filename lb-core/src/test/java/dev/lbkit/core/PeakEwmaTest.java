package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link PeakEwma} on a {@link FakeTicker} and seeded random draws: the estimate's peak, blend and
 * decay, exactly; the cost and the choice between the two draws; the probe of a new server; the
 * recovery of a server that was slow; membership, health and bad input.
 */
class PeakEwmaTest {

  private static final Duration TAU = Duration.ofSeconds(10);
  private static final double TAU_NANOS = 10e9;
  private static final long MS = 1_000_000L;

  private final FakeTicker ticker =
      new FakeTicker(-5 * TAU.toNanos()); // crosses zero: by subtraction

  private PeakEwma picker(List<Server> servers) {
    return new PeakEwma(servers, ticker, RandomSources.seeded(7), TAU);
  }

  // ---------------------------------------------------------------- the estimate

  @Test
  void anEstimateJumpsToAHigherLatencyAtOnce() {
    Server a = servers(1).get(0);
    PeakEwma picker = picker(List.of(a));
    assertThat(picker.estimateNanos(a)).isZero();

    picker.observe(a, 10 * MS);
    assertThat(picker.estimateNanos(a)).isEqualTo(10.0 * MS);
    picker.observe(a, 100 * MS);
    assertThat(picker.estimateNanos(a)).isEqualTo(100.0 * MS);
    picker.observe(a, 10 * MS); // at the same instant: a low sample has no weight yet
    assertThat(picker.estimateNanos(a)).isEqualTo(100.0 * MS);
  }

  @Test
  void aFastFailureLeavesTheEstimateAndASlowOneRaisesIt() {
    Server a = servers(1).get(0);
    PeakEwma picker = picker(List.of(a));
    picker.observe(a, 100 * MS);
    ticker.advance(TAU.dividedBy(2)); // a low success would now weigh 1 - e^-0.5 of the sample
    double before = picker.estimateNanos(a);

    picker.observeFailure(a, 0);
    assertThat(picker.estimateNanos(a)).isCloseTo(before, within(1.0));
    ticker.advance(TAU.dividedBy(2));
    double decayed = picker.estimateNanos(a);
    picker.observe(a, 0);
    assertThat(picker.estimateNanos(a)).as("the same sample as a success").isLessThan(decayed);
    picker.observeFailure(a, 500 * MS);
    assertThat(picker.estimateNanos(a)).isEqualTo(500.0 * MS);
    assertThatThrownBy(() -> picker.observeFailure(a, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("latencyNanos: -1 (expected: >= 0)");
  }

  @Test
  void anEstimateDecaysTowardZeroWithTheTimeConstant() {
    Server a = servers(1).get(0);
    PeakEwma picker = picker(List.of(a));
    picker.observe(a, 100 * MS);

    List<Double> trace = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      trace.add(picker.estimateNanos(a));
      ticker.advance(TAU);
    }
    double e = Math.E;
    assertThat(trace.get(0)).isEqualTo(100.0 * MS);
    assertThat(trace.get(1)).isCloseTo(100.0 * MS / e, within(1e-3));
    assertThat(trace.get(2)).isCloseTo(100.0 * MS / (e * e), within(1e-3));
    assertThat(trace.get(3)).isCloseTo(100.0 * MS / (e * e * e), within(1e-3));
  }

  @Test
  void aLowerLatencyBlendsByTheTimeSinceTheLastObservation() {
    Server a = servers(1).get(0);
    PeakEwma picker = picker(List.of(a));
    picker.observe(a, 100 * MS);
    ticker.advance(TAU);
    picker.observe(a, 10 * MS); // decayed to 100/e; blended with w = 1/e

    double w = 1 / Math.E;
    double expected = 100.0 * MS * w * w + 10.0 * MS * (1 - w);
    assertThat(picker.estimateNanos(a)).isCloseTo(expected, within(1e-3));

    ticker.advance(Duration.ofMillis(1));
    picker.observe(a, 50 * MS); // above the decayed estimate (~19.9 ms): the new peak
    assertThat(picker.estimateNanos(a)).isEqualTo(50.0 * MS);
  }

  @Test
  void aRacingObserverWhoseTickerReadsEarlierDoesNotDecayTheEstimate() {
    PeakEwma.Estimate estimate = new PeakEwma.Estimate(100.0 * MS, 1_000);
    assertThat(estimate.at(999, TAU_NANOS)).isEqualTo(100.0 * MS);
    assertThat(estimate.observe(10 * MS, 999, TAU_NANOS).nanos).isEqualTo(100.0 * MS);
  }

  // ---------------------------------------------------------------- the pick

  /** Draws what it is told to: {@code nextInt} returns the scripted values in turn. */
  private static final class Scripted implements RandomGenerator {
    private final Deque<Integer> draws = new ArrayDeque<>();

    Scripted draw(int... values) {
      for (int v : values) {
        draws.add(v);
      }
      return this;
    }

    @Override
    public int nextInt(int bound) {
      int v = draws.remove();
      assertThat(v).isBetween(0, bound - 1);
      return v;
    }

    @Override
    public long nextLong() {
      throw new AssertionError("the picker draws only bounded ints");
    }
  }

  @Test
  void picksTheCheaperOfItsTwoDrawsCountingConnections() {
    List<Server> servers = servers(5);
    Scripted random = new Scripted();
    PeakEwma picker = new PeakEwma(servers, ticker, random, TAU);
    long[] latencies = {30, 10, 50, 20, 40};
    int[] connections = {0, 4, 0, 1, 2};
    for (int i = 0; i < servers.size(); i++) {
      picker.observe(servers.get(i), latencies[i] * MS);
      for (int c = 0; c < connections[i]; c++) {
        picker.connect(servers.get(i));
      }
    }
    // Costs in ms x (active + 1): 30, 50, 50, 40, 120. Every ordered pair (a, b), a != b: the
    // first draw is a, the second is over the other four servers, b - 1 if b > a.
    double[] cost = {30, 50, 50, 40, 120};
    for (int a = 0; a < 5; a++) {
      for (int b = 0; b < 5; b++) {
        if (a == b) {
          continue;
        }
        random.draw(a, b > a ? b - 1 : b);
        int cheaper = cost[b] < cost[a] ? b : a; // a tie goes to the first drawn
        assertThat(picker.next()).as("draws %d, %d", a, b).isSameAs(servers.get(cheaper));
      }
    }
    assertThat(random.draws).isEmpty();
  }

  @Test
  void aNewServerIsFreeUntilItHasACallInFlightThenWorseThanAnyObservedOne() {
    List<Server> servers = servers(2);
    Server observed = servers.get(0);
    Server fresh = servers.get(1);
    PeakEwma picker = picker(servers);
    picker.observe(observed, 2_000 * MS);
    for (int c = 0; c < 50; c++) {
      picker.connect(observed);
    }
    assertThat(picker.next()).isSameAs(fresh); // cost 0 against 2 s x 51

    picker.connect(fresh); // its probe is in flight
    for (int i = 0; i < 100; i++) {
      assertThat(picker.next()).isSameAs(observed);
    }
    picker.disconnect(fresh);
    picker.observe(fresh, 5 * MS);
    assertThat(picker.next()).isSameAs(fresh);
  }

  @Test
  void aSlowServerIsTriedAgainOnceItsEstimateHasDecayed() {
    Server slow = new Server("slow", 80);
    Server steady = new Server("steady", 80);
    PeakEwma picker = picker(List.of(slow, steady));
    picker.observe(slow, 2_000 * MS);
    List<Integer> secondsWhenSlowPicked = new ArrayList<>();
    for (int second = 1; second <= 40; second++) {
      ticker.advance(Duration.ofSeconds(1));
      picker.observe(steady, 100 * MS); // the steady server keeps being observed at 100 ms
      if (picker.next() == slow) {
        secondsWhenSlowPicked.add(second);
      }
    }
    // 2 s x e^(-t / 10 s) < 100 ms from t = 10 s x ln 20 = 29.96 s on.
    assertThat(secondsWhenSlowPicked).first().isEqualTo(30);
    assertThat(secondsWhenSlowPicked).hasSize(11);
  }

  @Test
  void isReproducibleFromASeed() {
    List<Server> servers = servers(6);
    PeakEwma one = picker(servers);
    PeakEwma two = picker(servers);
    for (int i = 0; i < servers.size(); i++) {
      one.observe(servers.get(i), (i + 1) * MS);
      two.observe(servers.get(i), (i + 1) * MS);
    }
    for (int i = 0; i < 1_000; i++) {
      assertThat(two.next()).isSameAs(one.next());
    }
  }

  // ---------------------------------------------------------------- membership and health

  @Test
  void returnsOnlyHealthyServersAndNullWhenNoneIs() {
    List<Server> servers = servers(3);
    PeakEwma picker = picker(servers);
    assertThat(picker(List.of()).next()).isNull();
    servers.get(0).setHealthy(false);
    servers.get(2).setHealthy(false);
    for (int i = 0; i < 20; i++) {
      assertThat(picker.next()).isSameAs(servers.get(1));
    }
    servers.get(1).setHealthy(false);
    assertThat(picker.next()).isNull();
    servers.get(0).setHealthy(true);
    assertThat(picker.next()).isSameAs(servers.get(0));
  }

  @Test
  void keptServersKeepTheirEstimatesAcrossMembershipAndHealthChanges() {
    List<Server> servers = servers(3);
    PeakEwma picker = picker(servers);
    for (Server s : servers) {
      picker.observe(s, 7 * MS);
    }
    servers.get(1).setHealthy(false);
    servers.get(1).setHealthy(true);
    Server added = new Server("10.1.0.9", 8080);
    picker.setServers(List.of(servers.get(1), servers.get(2), added));

    assertThat(picker.servers()).containsExactly(servers.get(1), servers.get(2), added);
    assertThat(picker.estimateNanos(servers.get(1))).isEqualTo(7.0 * MS);
    assertThat(picker.estimateNanos(servers.get(2))).isEqualTo(7.0 * MS);
    assertThat(picker.estimateNanos(added)).isZero();
    assertThat(picker.estimateNanos(servers.get(0))).as("removed").isZero();
    picker.observe(servers.get(0), 9 * MS); // no longer a member: ignored
    assertThat(picker.estimateNanos(servers.get(0))).isZero();
  }

  @Test
  void connectionCountsAreTheServersOwnAndNeverNegative() {
    Server a = servers(1).get(0);
    PeakEwma picker = picker(List.of(a));
    picker.connect(a);
    picker.connect(a);
    assertThat(a.activeConnections()).isEqualTo(2);
    picker.disconnect(a);
    picker.disconnect(a);
    picker.disconnect(a);
    assertThat(a.activeConnections()).isZero();
  }

  @Test // race: observers' compare-and-set retries while pickers read the same estimates
  void countsReturnToZeroAndEstimatesStayInRangeUnderConcurrentUse() throws Exception {
    List<Server> servers = servers(4);
    PeakEwma picker = new PeakEwma(servers, ticker, RandomSources.threadLocal(), TAU);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CompletableFuture<?>[] users = new CompletableFuture<?>[4];
      for (int t = 0; t < users.length; t++) {
        long latency = (t + 1) * MS; // each thread observes its own latency: 1 to 4 ms
        users[t] =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    Server s = picker.next();
                    picker.connect(s);
                    picker.observe(s, latency);
                    picker.disconnect(s);
                  }
                },
                pool);
      }
      CompletableFuture.allOf(users).get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    for (Server s : servers) {
      assertThat(s.activeConnections()).isZero();
      assertThat(picker.estimateNanos(s)).isBetween(1.0 * MS, 4.0 * MS);
    }
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void rejectsBadInputWithTheValueInTheMessage() {
    List<Server> servers = servers(2);
    assertThatThrownBy(() -> new PeakEwma(servers, ticker, RandomSources.seeded(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("decay: PT0S (expected: > 0)");
    assertThatThrownBy(
            () -> new PeakEwma(servers, ticker, RandomSources.seeded(1), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("decay: PT-0.001S (expected: > 0)");
    assertThatThrownBy(() -> new PeakEwma(servers, null, RandomSources.seeded(1), TAU))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(() -> new PeakEwma(servers, ticker, null, TAU))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("random");
    assertThatThrownBy(() -> new PeakEwma(servers, ticker, RandomSources.seeded(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("decay");
    assertThatThrownBy(() -> new PeakEwma(null)).isInstanceOf(NullPointerException.class);

    PeakEwma picker = picker(servers);
    assertThatThrownBy(() -> picker.observe(servers.get(0), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("latencyNanos: -1 (expected: >= 0)");
    assertThatThrownBy(() -> picker.observe(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> picker.connect(null)).hasMessage("server");
    assertThatThrownBy(() -> picker.disconnect(null)).hasMessage("server");
    assertThatThrownBy(() -> picker.setServers(List.of(servers.get(0), servers.get(0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appears twice");
    assertThat(picker.servers()).isEqualTo(servers);
  }

  @Test
  void aHugeDecayDoesNotOverflow() {
    Server a = servers(1).get(0);
    PeakEwma picker =
        new PeakEwma(
            List.of(a), ticker, RandomSources.seeded(1), Duration.ofDays(365L * 1_000_000));
    picker.observe(a, 10 * MS);
    ticker.advance(Duration.ofDays(1));
    assertThat(picker.estimateNanos(a)).isCloseTo(10.0 * MS, within(1.0));
  }
}
