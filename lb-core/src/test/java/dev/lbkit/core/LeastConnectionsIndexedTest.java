package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Least connections over {@link LeastPolicy#INDEX_FROM} servers or more, where the policy keeps an
 * index told of every count change instead of scanning: the same answers as the scan's rule.
 */
class LeastConnectionsIndexedTest {

  private static final int N = LeastPolicy.INDEX_FROM + 88;

  private static List<Server> servers() {
    List<Server> servers = new ArrayList<>(N);
    for (int i = 0; i < N; i++) {
      servers.add(new Server("10.7." + (i >> 8) + "." + (i & 255), 8080));
    }
    return servers;
  }

  /** The scan's rule: fewest connections among the healthy, ties from {@code start} on. */
  private static Server expected(List<Server> healthy, int start) {
    Server best = healthy.get(start);
    for (int step = 1; step < healthy.size(); step++) {
      Server s = healthy.get((start + step) % healthy.size());
      if (s.activeConnections() < best.activeConnections()) {
        best = s;
      }
    }
    return best;
  }

  @Test
  void aStandalonePickerAnswersAsTheScanWouldAcrossCountAndHealthChanges() {
    List<Server> servers = servers();
    LeastConnections lc = new LeastConnections(servers);
    Random random = new Random(7);
    for (Server s : servers) {
      for (int c = random.nextInt(3) + 1; c > 0; c--) {
        lc.connect(s);
      }
    }
    servers.get(100).setHealthy(false); // rebuilds the index on this thread
    lc.disconnect(servers.get(300));
    lc.disconnect(servers.get(301));
    List<Server> healthy = new ArrayList<>(servers);
    healthy.remove(100);
    for (int pick = 0; pick < 3 * N; pick++) {
      Server chosen = lc.next();
      assertThat(chosen).isSameAs(expected(healthy, pick % healthy.size()));
      if (pick % 7 == 0) { // change counts between picks, as leases do
        Server s = healthy.get(random.nextInt(healthy.size()));
        if (random.nextBoolean()) {
          lc.connect(s);
        } else {
          lc.disconnect(s);
        }
      }
    }
  }

  @Test
  void twoBalancersSharingServersSeeEachOthersConnections() {
    List<Server> servers = servers();
    LoadBalancer a = new LoadBalancer(servers, Algorithm.LEAST_CONNECTIONS);
    LoadBalancer b = new LoadBalancer(servers, Algorithm.LEAST_CONNECTIONS);
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < N - 1; i++) {
      held.add(a.acquire(path("/a"))); // every server but one gets a connection through a
    }
    Server idle = null;
    for (Server s : servers) {
      if (s.activeConnections() == 0) {
        idle = s;
      }
    }
    assertThat(idle).isNotNull();
    for (int i = 0; i < 5; i++) {
      assertThat(b.route(path("/b"))).as("b's index heard a's leases").contains(idle);
    }
    held.forEach(Lease::close);
    assertThat(b.route(path("/b"))).isPresent();
  }
}
