package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinTest {

  private static List<String> hosts(ServerPicker picker, int count) {
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      hosts.add(picker.next().host());
    }
    return hosts;
  }

  @Test
  void interleavesLikeNginx() {
    WeightedRoundRobin wrr =
        new WeightedRoundRobin(
            List.of(new Server("a", 1, 5), new Server("b", 1, 1), new Server("c", 1, 1)));
    assertThat(String.join(" ", hosts(wrr, 14))).isEqualTo("a a b a c a a a a b a c a a");
  }

  @Test
  void threeToOneIsSmooth() {
    WeightedRoundRobin wrr =
        new WeightedRoundRobin(List.of(new Server("a", 1, 3), new Server("b", 1, 1)));
    assertThat(String.join(" ", hosts(wrr, 8))).isEqualTo("a a b a a a b a");
  }

  @Test
  void reducesWeightsByTheirGreatestCommonDivisor() {
    WeightedRoundRobin wrr =
        new WeightedRoundRobin(List.of(new Server("a", 1, 200), new Server("b", 1, 100)));
    assertThat(wrr.schedule().period()).isEqualTo(3);
    assertThat(String.join(" ", hosts(wrr, 6))).isEqualTo("a b a a b a");
  }

  @Test
  void rebuildsTheScheduleOverTheHealthyServers() {
    Server a = new Server("a", 1, 5);
    Server b = new Server("b", 1, 1);
    Server c = new Server("c", 1, 1);
    WeightedRoundRobin wrr = new WeightedRoundRobin(List.of(a, b, c));
    assertThat(wrr.schedule().period()).isEqualTo(7);
    b.setHealthy(false);
    assertThat(wrr.schedule().period()).isEqualTo(6);
    Map<String, Integer> counts = new HashMap<>();
    hosts(wrr, 60).forEach(h -> counts.merge(h, 1, Integer::sum));
    assertThat(counts).containsOnlyKeys("a", "c").containsEntry("a", 50).containsEntry("c", 10);
  }

  @Test
  void fallsBackToTheGoldenStrideWhenThePeriodIsTooLongForATable() {
    Server heavy = new Server("heavy", 1, WeightedSchedule.MAX_TABLE + 1);
    Server light = new Server("light", 1, 2);
    WeightedRoundRobin wrr = new WeightedRoundRobin(List.of(heavy, light));
    WeightedSchedule schedule = wrr.schedule();
    assertThat(schedule.isTable()).isFalse();
    long period = schedule.period();
    assertThat(period).isEqualTo(WeightedSchedule.MAX_TABLE + 3L);
    int lightPicks = 0;
    List<Long> lightSlots = new ArrayList<>();
    for (long k = 0; k < period; k++) {
      if (wrr.next() == light) {
        lightPicks++;
        lightSlots.add(k);
      }
    }
    assertThat(lightPicks).isEqualTo(2);
    // The golden stride spreads them: they are not adjacent, as a cumulative-weight walk would
    // make them.
    assertThat(lightSlots.get(1) - lightSlots.get(0)).isGreaterThan(period / 4);
  }

  @Test
  void usesATableForAThousandServersWithWeightsUpToTen() {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      servers.add(new Server("10.1." + (i / 250) + "." + (i % 250), 80, 1 + i % 10));
    }
    assertThat(new WeightedRoundRobin(servers).schedule().isTable()).isTrue();
  }
}
