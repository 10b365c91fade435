package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Membership} rebuilds what an algorithm derives only when its own servers changed. */
class MembershipTest {

  private final AtomicInteger derivations = new AtomicInteger();

  private Membership<Integer> membership(List<Server> servers) {
    return new Membership<>(servers, healthy -> derivations.incrementAndGet());
  }

  @Test
  void aHealthChangeElsewhereCostsNoRebuild() {
    Membership<Integer> membership = membership(List.of(new Server("10.2.0.1", 80)));
    Server elsewhere = new Server("10.2.0.9", 80);
    int before = derivations.get();
    elsewhere.setHealthy(false);
    elsewhere.setWeight(4);
    assertThat(membership.current().derived).isEqualTo(before);
    assertThat(derivations.get()).isEqualTo(before);
  }

  @Test
  void aHealthOrWeightChangeOfItsOwnServerRebuilds() {
    Server a = new Server("10.2.0.1", 80);
    Server b = new Server("10.2.0.2", 80);
    Membership<Integer> membership = membership(List.of(a, b));
    int built = derivations.get();
    a.setHealthy(false);
    assertThat(membership.current().healthy).containsExactly(b);
    assertThat(derivations.get()).isEqualTo(built + 1);
    b.setWeight(3);
    membership.current();
    assertThat(derivations.get()).isEqualTo(built + 2);
    a.setHealthy(true);
    assertThat(membership.current().healthy).containsExactly(a, b);
    assertThat(derivations.get()).isEqualTo(built + 3);
  }
}
