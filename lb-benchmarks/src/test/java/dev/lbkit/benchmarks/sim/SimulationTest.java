package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lbkit.core.Algorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's servers, clients, slowdowns and measurement, on small fleets. */
class SimulationTest {

  private static final long MS = 1_000_000L;

  private static Simulation.Builder base(Fleet fleet, double perSecond, Policy policy) {
    return Simulation.builder()
        .fleet(fleet)
        .arrivals(Arrivals.poisson(perSecond))
        .policy(policy)
        .duration(Duration.ofSeconds(20));
  }

  @Test
  void unlimitedServersAnswerEveryRequestInExactlyItsWork() {
    Fleet fleet = Fleet.of(3, ServerSpec.unlimited(ServiceTime.constant(Duration.ofMillis(100))));
    LatencySummary s = base(fleet, 500, Policy.of(Algorithm.ROUND_ROBIN)).build().run(1L).latency();
    assertThat(s.answered()).isBetween(9_000L, 11_000L);
    assertThat(s.p50Nanos()).isEqualTo(100 * MS);
    assertThat(s.maxNanos()).isEqualTo(100 * MS);
    assertThat(s.meanNanos()).isCloseTo(100 * MS, within(1.0));
  }

  @Test
  void aSlowdownStretchesServiceAndAStallHoldsRequestsUntilItEnds() {
    ServerSpec server = ServerSpec.unlimited(ServiceTime.constant(Duration.ofMillis(100)));
    Fleet halved =
        Fleet.of(1, server.slowdown(new Slowdown(Duration.ZERO, Duration.ofSeconds(30), 0.5)));
    LatencySummary slow = base(halved, 100, Policy.shortestOf(1)).build().run(1L).latency();
    assertThat(slow.p50Nanos()).isEqualTo(200 * MS);
    assertThat(slow.maxNanos()).isEqualTo(200 * MS);

    Fleet stalled =
        Fleet.of(1, server.slowdown(new Slowdown(Duration.ZERO, Duration.ofSeconds(10), 0)));
    LatencySummary s = base(stalled, 100, Policy.shortestOf(1)).build().run(1L).latency();
    assertThat(s.maxNanos()).isGreaterThan(9_900 * MS).isLessThanOrEqualTo(10_100 * MS);
    assertThat(s.p90Nanos()).isGreaterThan(1_000 * MS);
  }

  @Test
  void aFifoServerQueuesAndItsUtilizationIsItsLoad() {
    Fleet fleet = Fleet.of(1, ServerSpec.fifo(ServiceTime.exponential(Duration.ofMillis(10))));
    RunResult r =
        base(fleet, 50, Policy.shortestOf(1)).duration(Duration.ofSeconds(2_000)).build().run(1L);
    assertThat(r.utilization(0)).isCloseTo(0.5, within(0.02));
    // M/M/1 at 50%: mean sojourn 20 ms.
    assertThat(r.latency().meanNanos()).isCloseTo(20 * MS, within(1.0 * MS));
  }

  @Test
  void processorSharingServesEveryRequestAtOnce() {
    ServerSpec ps =
        ServerSpec.processorSharing(ServiceTime.exponential(Duration.ofMillis(10))).cores(2);
    RunResult r = base(Fleet.of(1, ps), 150, Policy.shortestOf(1)).build().run(1L);
    // M/M/2-PS at 75%: same mean as M/M/2's, 4 / (200 - 150 x ...) ~ 22.9 ms; at least the work.
    assertThat(r.latency().meanNanos()).isBetween(18.0 * MS, 28.0 * MS);
    assertThat(r.utilization(0)).isCloseTo(0.75, within(0.04));
  }

  @Test
  void aServerAtItsQueueLimitRefusesAtOnce() {
    Fleet fleet =
        Fleet.of(1, ServerSpec.fifo(ServiceTime.constant(Duration.ofSeconds(1))).queueLimit(1));
    LatencySummary s = base(fleet, 10, Policy.shortestOf(1)).build().run(1L).latency();
    assertThat(s.refused()).isGreaterThan(150);
    assertThat(s.answered()).isBetween(15L, 21L);
    assertThat(s.maxNanos()).isLessThanOrEqualTo(1_000 * MS);
    assertThat(s.successRate()).isLessThan(0.15);
  }

  @Test
  void aServerThatJoinsLaterIsPickedOnlyAfterwardsAndItsWindowCountsOnlyIt() {
    List<Long> pickedLate = new ArrayList<>();
    ServerSpec server = ServerSpec.fifo(ServiceTime.exponential(Duration.ofMillis(5)));
    Fleet fleet = Fleet.builder().add(server).add(server.joinAt(Duration.ofSeconds(5))).build();
    Policy recording =
        Policy.named(
            "round robin, recording",
            client -> {
              Router inner = Policy.of(Algorithm.ROUND_ROBIN).router(client);
              return new Router() {
                @Override
                public int pick(int call) {
                  int s = inner.pick(call);
                  if (s == 1) {
                    pickedLate.add(client.ticker().read());
                  }
                  return s;
                }

                @Override
                public void complete(int call, int s, long latencyNanos, boolean success) {
                  inner.complete(call, s, latencyNanos, success);
                }

                @Override
                public void joined(int s) {
                  inner.joined(s);
                }
              };
            });
    RunResult r =
        base(fleet, 100, recording)
            .clients(3)
            .window(Duration.ofSeconds(5), Duration.ofSeconds(10), 1)
            .build()
            .run(1L);
    assertThat(pickedLate).isNotEmpty().allMatch(t -> t >= 5_000 * MS);
    LatencySummary window = r.window();
    assertThat(window).isNotNull();
    long inWindow = pickedLate.stream().filter(t -> t < 10_000 * MS).count();
    assertThat(window.answered()).isEqualTo(inWindow);
  }

  @Test
  void anAntagonistSlowsServersForPartOfTheTime() {
    ServerSpec server = ServerSpec.fifo(ServiceTime.exponential(Duration.ofMillis(10)));
    Simulation calm = base(Fleet.of(4, server), 200, Policy.shortestOf(1)).build();
    Antagonist antagonist = new Antagonist(0.4, Duration.ofSeconds(2), Duration.ofSeconds(2));
    Simulation troubled =
        calm.toBuilder().fleet(Fleet.of(4, server.antagonist(antagonist))).build();
    assertThat(antagonist.slowedShare()).isEqualTo(0.5);
    assertThat(troubled.run(1L).latency().meanNanos())
        .isGreaterThan(1.5 * calm.run(1L).latency().meanNanos());
  }

  @Test
  void theSameSeedGivesTheSameRunAndAnotherSeedAnother() {
    Fleet fleet =
        Fleet.of(5, ServerSpec.processorSharing(ServiceTime.exponential(Duration.ofMillis(10))));
    for (Policy policy :
        List.of(
            Policy.of(Algorithm.POWER_OF_TWO_CHOICES),
            Policy.of(Algorithm.PEAK_EWMA),
            Policy.prequal(),
            Policy.oracle())) {
      Simulation sim = base(fleet, 300, policy).clients(4).duration(Duration.ofSeconds(5)).build();
      RunResult once = sim.run(1L);
      assertThat(sim.run(1L)).as(policy.name()).isEqualTo(once);
      assertThat(sim.run(2L)).as(policy.name()).isNotEqualTo(once);
      assertThat(once.latency().answered()).as(policy.name()).isBetween(1_300L, 1_700L);
    }
  }

  @Test
  void arrivalsFollowTheirRate() {
    Fleet fleet = Fleet.of(2, ServerSpec.unlimited(ServiceTime.constant(Duration.ofMillis(1))));
    Arrivals bursts = Arrivals.bursts(100, 5, Duration.ofSeconds(10), Duration.ofSeconds(2));
    Arrivals diurnal = Arrivals.diurnal(100, 0.5, Duration.ofSeconds(10));
    assertThat(bursts.meanPerSecond()).isCloseTo(180, within(1e-9));
    for (Arrivals a : List.of(bursts, diurnal)) {
      long n =
          base(fleet, 1, Policy.oracle())
              .arrivals(a)
              .duration(Duration.ofSeconds(100))
              .build()
              .run(1L)
              .latency()
              .answered();
      assertThat((double) n).as(a.toString()).isCloseTo(a.meanPerSecond() * 100, within(400.0));
    }
  }

  @Test
  void badSettingsAreRefusedByName() {
    assertThatThrownBy(() -> Simulation.builder().clients(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clients: 0 (expected: >= 1)");
    Fleet fleet = Fleet.of(2, ServerSpec.fifo(ServiceTime.constant(Duration.ofMillis(1))));
    assertThatThrownBy(
            () -> base(fleet, 10, Policy.oracle()).warmup(Duration.ofSeconds(20)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warmup: PT20S (expected: < duration, PT20S)");
    assertThatThrownBy(
            () ->
                base(fleet, 10, Policy.oracle())
                    .window(Duration.ZERO, Duration.ofSeconds(1), 2)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window server: 2 (expected: 0..1)");
    assertThatThrownBy(() -> ServerSpec.fifo(ServiceTime.exponential(Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mean: PT0S (expected: > 0)");
    assertThatThrownBy(() -> new Slowdown(Duration.ZERO, Duration.ofSeconds(1), 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("factor: 1.5 (expected: 0..1)");
    assertThatThrownBy(() -> Policy.shortestOf(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("choices: 0 (expected: >= 1)");
  }
}
