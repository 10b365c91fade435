package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The algorithms as the simulation drives them: real connection counts, opened and closed. */
class PolicyTest {

  private static List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(new Server("backend-" + i, 8080));
    }
    return servers;
  }

  @Test
  void everyPolicyCountsACallFromOpenToClose() {
    for (Policy policy : Policy.values()) {
      List<Server> servers = servers(3);
      Policy.Router router = policy.router(servers, new EventLoop(), new SplittableRandom(1));
      List<Policy.Call> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(router.open());
      }
      assertThat(servers.stream().mapToInt(Server::activeConnections).sum())
          .as(policy.label())
          .isEqualTo(12);
      calls.forEach(call -> call.close().run());
      assertThat(servers).as(policy.label()).allMatch(s -> s.activeConnections() == 0);
    }
  }

  @Test
  void leastConnectionsSeesTheCallsStillInFlight() {
    List<Server> servers = servers(3);
    Policy.Router router =
        Policy.LEAST_CONNECTIONS.router(servers, new EventLoop(), new SplittableRandom(1));
    Policy.Call first = router.open();
    Policy.Call second = router.open();
    Policy.Call third = router.open();
    assertThat(List.of(first.server(), second.server(), third.server()))
        .containsExactlyElementsOf(servers);

    second.close().run();
    assertThat(router.open().server()).isSameAs(servers.get(1));
    assertThat(router.open().server()).isIn(servers);
  }

  @Test
  void peakEwmaAvoidsAServerWhoseCallsWereSlowOnTheSimulatedClock() {
    List<Server> servers = servers(2);
    EventLoop loop = new EventLoop();
    Policy.Router router = Policy.PEAK_EWMA.router(servers, loop, new SplittableRandom(1));
    // One call on each server: backend-0 answers after 2 s, backend-1 after 10 ms.
    Policy.Call a = router.open();
    Policy.Call b = router.open();
    Policy.Call slow = a.server() == servers.get(0) ? a : b;
    Policy.Call fast = slow == a ? b : a;
    loop.at(10_000_000L, fast.close());
    loop.at(2_000_000_000L, slow.close());
    loop.run();
    for (int i = 0; i < 20; i++) {
      Policy.Call call = router.open();
      assertThat(call.server()).isSameAs(servers.get(1));
      call.close().run();
    }
  }
}
