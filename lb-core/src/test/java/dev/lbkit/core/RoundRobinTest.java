package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

  private final Server a = new Server("a", 1);
  private final Server b = new Server("b", 1);
  private final Server c = new Server("c", 1);

  private static List<Server> picks(ServerPicker picker, int count) {
    List<Server> picks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      picks.add(picker.next());
    }
    return picks;
  }

  @Test
  void cyclesInStrictListOrder() {
    assertThat(picks(new RoundRobin(List.of(a, b, c)), 7)).containsExactly(a, b, c, a, b, c, a);
  }

  @Test
  void kthPickIsTheKModHthHealthyServer() {
    RoundRobin rr = new RoundRobin(List.of(a, b, c));
    assertThat(picks(rr, 4)).containsExactly(a, b, c, a); // k = 0..3
    b.setHealthy(false);
    assertThat(picks(rr, 4)).containsExactly(a, c, a, c); // k = 4..7 over [a, c]
    b.setHealthy(true);
    assertThat(picks(rr, 3)).containsExactly(c, a, b); // k = 8, 9, 10 over [a, b, c]
  }

  @Test
  void weightsDoNotMatter() {
    Server heavy = new Server("h", 1, 10);
    assertThat(picks(new RoundRobin(List.of(heavy, a)), 4)).containsExactly(heavy, a, heavy, a);
  }

  @Test
  void keepsItsOrderPastTwoToThe31Picks() {
    // Ribbon and Spring Cloud LoadBalancer broke here: an int counter went negative.
    int n = 3;
    long wrap = 1L << 31;
    for (long k = wrap - 10; k < wrap + 10; k++) {
      assertThat(Sequences.index(k, n)).as("k = %d", k).isEqualTo((int) (k % n));
    }
    // And past 2^63, where a signed long turns negative: read as unsigned, still in order.
    long signedWrap = Long.MIN_VALUE;
    int previous = Sequences.index(signedWrap - 1, 5);
    for (long k = signedWrap; k != signedWrap + 20; k++) {
      int index = Sequences.index(k, 5);
      assertThat(index).isBetween(0, 4).isEqualTo((previous + 1) % 5);
      previous = index;
    }
  }

  @Test
  void survivesTwoToThe31PicksThroughThePublicApi() {
    long k = (1L << 31) - 2; // (2^31 - 2) mod 3 == 0
    assertThat(picks(new RoundRobin(List.of(a, b, c), k), 6)).containsExactly(a, b, c, a, b, c);
  }

  @Test
  void survivesTwoToThe63PicksThroughThePublicApi() {
    long k = Long.MAX_VALUE - 1; // (2^63 - 2) mod 4 == 2; then 2^63 read as unsigned
    Server d = new Server("d", 1);
    assertThat(picks(new RoundRobin(List.of(a, b, c, d), k), 6)).containsExactly(c, d, a, b, c, d);
  }
}
