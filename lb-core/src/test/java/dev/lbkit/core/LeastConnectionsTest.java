package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

  private final Server a = new Server("a", 1);
  private final Server b = new Server("b", 1);
  private final Server c = new Server("c", 1);
  private final LeastConnections lc = new LeastConnections(List.of(a, b, c));

  private List<Server> picks(int count) {
    List<Server> picks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      picks.add(lc.next());
    }
    return picks;
  }

  @Test
  void picksTheServerWithFewestConnections() {
    lc.connect(a);
    lc.connect(a);
    lc.connect(b);
    assertThat(picks(5)).containsOnly(c);
    lc.connect(c);
    lc.connect(c);
    assertThat(picks(5)).containsOnly(b);
  }

  @Test
  void breaksTiesInRoundRobinOrder() {
    assertThat(picks(6)).containsExactly(a, b, c, a, b, c);
    lc.connect(b); // a and c tie at 0
    assertThat(picks(4)).containsExactly(a, c, c, a);
  }

  @Test
  void connectAndDisconnectMoveTheServersCount() {
    lc.connect(b);
    lc.connect(b);
    assertThat(b.activeConnections()).isEqualTo(2);
    lc.disconnect(b);
    assertThat(b.activeConnections()).isEqualTo(1);
  }

  @Test
  void disconnectNeverGoesBelowZero() {
    lc.disconnect(a);
    lc.disconnect(a);
    assertThat(a.activeConnections()).isZero();
    lc.connect(a);
    assertThat(a.activeConnections()).isEqualTo(1);
  }

  @Test
  void countsAreSharedByEveryBalancerHoldingTheServer() {
    LeastConnections other = new LeastConnections(List.of(a, b));
    other.connect(a);
    assertThat(lc.next()).isNotEqualTo(a);
    assertThat(a.activeConnections()).isEqualTo(1);
  }

  @Test
  void aServerRemovedWithConnectionsOpenCanStillBeDisconnected() {
    lc.connect(a);
    lc.setServers(List.of(b, c));
    lc.disconnect(a);
    assertThat(a.activeConnections()).isZero();
  }

  @Test
  void skipsUnhealthyServersEvenWhenTheyAreLeastLoaded() {
    lc.connect(b);
    lc.connect(c);
    a.setHealthy(false);
    assertThat(picks(4)).containsOnly(b, c);
  }

  @Test
  void rejectsNullServers() {
    assertThatThrownBy(() -> lc.connect(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> lc.disconnect(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
  }
}
