package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class WeightedRoundRobinProperties {

  private static List<Server> servers(List<Integer> weights) {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < weights.size(); i++) {
      servers.add(new Server("s" + i, 80, weights.get(i)));
    }
    return servers;
  }

  /**
   * nginx's smooth weighted round robin exactly as its C code does it (no gcd reduction, O(n) per
   * pick): the reference our precomputed schedule must match pick for pick.
   */
  private static List<Integer> nginxReference(List<Integer> weights, int picks) {
    int total = weights.stream().mapToInt(Integer::intValue).sum();
    long[] current = new long[weights.size()];
    List<Integer> order = new ArrayList<>();
    for (int p = 0; p < picks; p++) {
      int best = -1;
      for (int i = 0; i < current.length; i++) {
        current[i] += weights.get(i);
        if (best == -1 || current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order.add(best);
    }
    return order;
  }

  @Property(tries = 300)
  void matchesNginxPickForPick(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 20) Integer> weights) {
    List<Server> servers = servers(weights);
    WeightedRoundRobin wrr = new WeightedRoundRobin(servers);
    int total = weights.stream().mapToInt(Integer::intValue).sum();
    List<Integer> expected = nginxReference(weights, 2 * total);
    for (int p = 0; p < expected.size(); p++) {
      assertThat(wrr.next()).as("pick %d", p).isSameAs(servers.get(expected.get(p)));
    }
  }

  /**
   * Smoothness bound. After t picks, server i with weight w of total W has picks c with {@code
   * t*w/W - c == current_i / W}, where current_i is nginx's current weight. Only the largest
   * current weight is lowered (by W), and the largest of n numbers summing to W is at least W/n, so
   * every current weight stays above -W: a server is never a whole pick ahead of its ideal share.
   * The current weights sum to zero and each is above -W, so each stays below (n-1)W: a server is
   * never n-1 or more picks behind. (Random weights usually stay within 1.25 picks behind.)
   */
  @Property(tries = 300)
  void neverRunsAheadByAPickNorBehindByNMinusOne(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 50) Integer> weights) {
    List<Server> servers = servers(weights);
    WeightedRoundRobin wrr = new WeightedRoundRobin(servers);
    int n = weights.size();
    double total = weights.stream().mapToInt(Integer::intValue).sum();
    int[] picks = new int[n];
    for (int t = 1; t <= 2 * total; t++) {
      picks[servers.indexOf(wrr.next())]++;
      for (int i = 0; i < n; i++) {
        double ideal = t * weights.get(i) / total;
        assertThat(picks[i] - ideal).as("server %d after %d picks", i, t).isLessThan(1.0);
        assertThat(ideal - picks[i]).isLessThan(Math.max(1, n - 1));
      }
    }
  }

  @Property(tries = 200)
  void goldenStrideFallbackGivesExactSharesPerPeriod(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 40) Integer> weights) {
    List<Server> servers = servers(weights);
    WeightedRoundRobin wrr = new WeightedRoundRobin(servers, 0, 0);
    WeightedSchedule schedule = wrr.schedule();
    assertThat(schedule.isTable()).isFalse();
    int gcd = weights.stream().reduce(0, WeightedRoundRobinContractTest::gcd);
    int[] picks = new int[servers.size()];
    for (long k = 0; k < schedule.period(); k++) {
      picks[servers.indexOf(wrr.next())]++;
    }
    for (int i = 0; i < servers.size(); i++) {
      assertThat(picks[i]).isEqualTo(weights.get(i) / gcd);
    }
  }

  @Property(tries = 1_000)
  void mulModMatchesBigInteger(
      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long modulus,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long a,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long b) {
    long x = a % modulus;
    long y = b % modulus;
    long expected =
        BigInteger.valueOf(x)
            .multiply(BigInteger.valueOf(y))
            .mod(BigInteger.valueOf(modulus))
            .longValueExact();
    assertThat(WeightedSchedule.mulMod(x, y, modulus)).isEqualTo(expected);
  }
}
