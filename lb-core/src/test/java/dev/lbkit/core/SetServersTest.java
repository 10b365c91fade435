package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link LoadBalancer#setServers}: joins, leaves and new weights in one publish. */
class SetServersTest {

  private final List<String> events = Collections.synchronizedList(new ArrayList<>());

  private LoadBalancer observed(LoadBalancer lb) {
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onServerAdded(Server server) {
            events.add("+" + server);
          }

          @Override
          public void onServerRemoved(Server server) {
            events.add("-" + server.id());
          }
        });
    return lb;
  }

  @Test
  void newIdsJoinMissingIdsLeaveAndPresentIdsTakeTheNewWeight() {
    List<Server> s = servers(4);
    LoadBalancer lb =
        observed(
            LoadBalancer.builder(s.subList(0, 3))
                .algorithm(Algorithm.WEIGHTED_ROUND_ROBIN)
                .build());
    Server heavier = new Server(s.get(1).host(), s.get(1).port(), 3);
    lb.setServers(List.of(heavier, s.get(2), s.get(3)));
    assertThat(lb.servers()).containsExactly(s.get(1), s.get(2), s.get(3));
    assertThat(lb.servers().get(0)).as("the member instance stays").isSameAs(s.get(1));
    assertThat(s.get(1).weight()).isEqualTo(3);
    assertThat(events)
        .containsExactlyInAnyOrder("-" + s.get(0).id(), "+" + s.get(1), "+" + s.get(3));
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      picks.add(lb.route(path("/x")).orElseThrow().id());
    }
    assertThat(picks).filteredOn(s.get(1).id()::equals).hasSize(3);
  }

  @Test
  void aLeavingServerWithOpenLeasesDrainsFirst() {
    List<Server> s = servers(2);
    LoadBalancer lb = observed(new LoadBalancer(s));
    Lease held = lb.acquire(path("/held")); // on the first server
    assertThat(held.server()).isEqualTo(s.get(0));
    lb.setServers(List.of(s.get(1)));
    assertThat(lb.servers()).as("still draining").containsExactly(s.get(0), s.get(1));
    assertThat(lb.isDraining(s.get(0))).isTrue();
    assertThat(lb.route(path("/x"))).contains(s.get(1));
    CompletableFuture<Void> drained = lb.drain(s.get(0));
    assertThat(drained).isNotDone();
    held.close();
    assertThat(drained).isCompleted();
    assertThat(lb.servers()).containsExactly(s.get(1));
    assertThat(events).containsExactly("-" + s.get(0).id());
  }

  @Test
  void anEmptySetLeavesNothingToRoute() {
    LoadBalancer lb = new LoadBalancer(servers(3));
    lb.setServers(List.of());
    assertThat(lb.servers()).isEmpty();
    assertThat(lb.route(path("/x"))).isEmpty();
  }

  @Test
  void duplicatesAndNullsAreRejectedWithTheOffendingIndexAndNothingChanges() {
    List<Server> s = servers(2);
    LoadBalancer lb = new LoadBalancer(s);
    List<Server> withNull = new ArrayList<>(s);
    withNull.add(null);
    assertThatThrownBy(() -> lb.setServers(withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers[2]");
    assertThatThrownBy(() -> lb.setServers(List.of(s.get(0), new Server(s.get(0).host(), 8080))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("servers[1]: " + s.get(0).id());
    assertThatThrownBy(() -> lb.setServers(null)).isInstanceOf(NullPointerException.class);
    assertThat(lb.servers()).containsExactlyElementsOf(s);
  }

  @Test
  void twoBalancersChangingTheWeightsOfSharedServersAtOnceDoNotDeadlock() throws Exception {
    // A weight is the server's: setting it tells every balancer holding the server. Done under a
    // balancer's own lock, two balancers doing it at once each waited for the other's lock.
    List<Server> shared = servers(4);
    LoadBalancer a = LoadBalancer.builder(shared).algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build();
    LoadBalancer b = LoadBalancer.builder(shared).algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (LoadBalancer lb : List.of(a, b)) {
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < 500; i++) {
                  List<Server> next = new ArrayList<>();
                  for (Server s : shared) {
                    next.add(new Server(s.host(), s.port(), 1 + (i + next.size()) % 3));
                  }
                  lb.setServers(next);
                  lb.addServer(new Server(shared.get(0).host(), shared.get(0).port(), 1 + i % 4));
                }
              });
      t.setUncaughtExceptionHandler((thread, e) -> failures.add(e));
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(FacadeFixtures.BOUND.toMillis());
      assertThat(t.isAlive()).as("deadlocked").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(a.servers()).containsExactlyElementsOf(shared);
    assertThat(b.route(path("/x"))).isPresent();
  }

  @Test
  void aServerThatLeftIsNoLongerToldOfHealthChanges() {
    List<Server> s = servers(2);
    LoadBalancer lb = new LoadBalancer(s);
    lb.setServers(List.of(s.get(1)));
    s.get(0).setHealthy(false); // must not touch this balancer's table
    s.get(0).setHealthy(true);
    assertThat(lb.servers()).containsExactly(s.get(1));
    assertThat(lb.route(path("/x"))).contains(s.get(1));
  }
}
