package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.keyed;
import static dev.lbkit.core.FacadeFixtures.routed;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.hashing.Placement;
import dev.lbkit.hashing.PlacementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Algorithm#CONSISTENT_HASH} with the placement and balance factor chosen in the builder:
 * the facade routes as the placement says, honours weights, and with a balance factor never lets a
 * hot key pile more than the cap onto one server.
 */
class LoadBalancerPlacementTest {

  private static LoadBalancer hashing(List<Server> servers, PlacementType type) {
    return LoadBalancer.builder(servers)
        .algorithm(Algorithm.CONSISTENT_HASH)
        .placement(type)
        .build();
  }

  @ParameterizedTest
  @EnumSource(PlacementType.class)
  void routesEveryKeyWhereThePlacementPutsIt(PlacementType type) {
    List<Server> servers = servers(7);
    LoadBalancer lb = hashing(servers, type);
    Placement<Server> expected = type.create(servers, Server::weight);
    for (int i = 0; i < 2_000; i++) {
      String key = "job-" + i;
      assertThat(routed(lb, keyed(key))).as(key).isEqualTo(expected.getNode(key));
    }
  }

  @ParameterizedTest
  @EnumSource(PlacementType.class)
  void aKeyWhoseServerIsDownGoesToItsProbeOrderFallbackAndReturns(PlacementType type) {
    List<Server> servers = servers(5);
    LoadBalancer lb = hashing(servers, type);
    Map<String, Server> before = routes(lb, "k", 500);
    Server down = servers.get(2);
    down.setHealthy(false);
    for (Map.Entry<String, Server> e : before.entrySet()) {
      Server now = routed(lb, keyed(e.getKey()));
      assertThat(now).isNotEqualTo(down);
      if (!e.getValue().equals(down) && type != PlacementType.MAGLEV) {
        assertThat(now)
            .as("ring and rendezvous move only the down server's keys")
            .isEqualTo(e.getValue());
      }
    }
    down.setHealthy(true);
    for (Map.Entry<String, Server> e : before.entrySet()) {
      assertThat(routed(lb, keyed(e.getKey()))).isEqualTo(e.getValue());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = PlacementType.class,
      names = {"RING", "RENDEZVOUS", "MEMENTO"})
  void removingAServerMovesOnlyItsKeysAndAddingItBackRestoresThem(PlacementType type) {
    List<Server> servers = servers(20);
    LoadBalancer lb = hashing(servers, type);
    Map<String, Server> before = routes(lb, "m", 4_000);
    Server leaving = servers.get(7);
    lb.removeServer(leaving);
    int moved = 0;
    for (Map.Entry<String, Server> e : before.entrySet()) {
      Server now = routed(lb, keyed(e.getKey()));
      if (e.getValue().equals(leaving)) {
        moved++;
      } else {
        assertThat(now).as("zero collateral: %s", e.getKey()).isEqualTo(e.getValue());
      }
    }
    assertThat(moved).isPositive();
    lb.addServer(leaving);
    for (Map.Entry<String, Server> e : before.entrySet()) {
      assertThat(routed(lb, keyed(e.getKey()))).isEqualTo(e.getValue());
    }
  }

  @ParameterizedTest
  @EnumSource(PlacementType.class)
  void serverWeightsSetTheShareOfKeys(PlacementType type) {
    List<Server> servers = servers(4);
    servers.get(0).setWeight(3);
    LoadBalancer lb = hashing(servers, type);
    Map<Server, Integer> counts = new HashMap<>();
    int keys = 30_000;
    for (int i = 0; i < keys; i++) {
      counts.merge(routed(lb, keyed("w" + i)), 1, Integer::sum);
    }
    // Expected share of the heavy server: 3/6 = 50%. The ring's share has a relative standard
    // deviation of about 1/sqrt(450 points) = 4.7%, so +-15% of the share is over 3 sigma; the
    // others are closer. Sampling adds about 0.6% at 30,000 keys.
    assertThat(counts.get(servers.get(0)))
        .isBetween((int) (keys * 0.5 * 0.85), (int) (keys * 0.5 * 1.15));
  }

  @Test
  void aWeightChangeReachesThePlacement() {
    List<Server> servers = servers(3);
    LoadBalancer lb = hashing(servers, PlacementType.RENDEZVOUS);
    servers.get(1).setWeight(5);
    Placement<Server> expected = PlacementType.RENDEZVOUS.create(servers, Server::weight);
    for (int i = 0; i < 1_000; i++) {
      assertThat(routed(lb, keyed("r" + i))).isEqualTo(expected.getNode("r" + i));
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.1, 1.25, 2.0})
  void aHotKeyNeverPilesMoreThanTheCapOnOneServer(double balanceFactor) {
    List<Server> servers = servers(4);
    LoadBalancer lb =
        LoadBalancer.builder(servers)
            .algorithm(Algorithm.CONSISTENT_HASH)
            .placement(PlacementType.MAGLEV)
            .balanceFactor(balanceFactor)
            .build();
    Server home = routed(lb, keyed("hot"));
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long total = servers.stream().mapToInt(Server::activeConnections).sum();
      long cap = (long) Math.ceil(balanceFactor * (total + 1) / servers.size());
      Lease lease = lb.acquire(keyed("hot"));
      leases.add(lease);
      assertThat(lease.server().activeConnections())
          .as("lease %d", i)
          .isLessThanOrEqualTo((int) cap);
    }
    int max = servers.stream().mapToInt(Server::activeConnections).max().orElseThrow();
    assertThat(max).isLessThanOrEqualTo((int) Math.ceil(balanceFactor * 100 / 4));
    assertThat(home.activeConnections()).isEqualTo(max);
    leases.forEach(Lease::close);
    assertThat(routed(lb, keyed("hot"))).as("an idle key is home again").isEqualTo(home);
  }

  @Test
  void withoutABalanceFactorAHotKeyStaysHome() {
    List<Server> servers = servers(4);
    LoadBalancer lb = hashing(servers, PlacementType.RING);
    Server home = routed(lb, keyed("hot"));
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      leases.add(lb.acquire(keyed("hot")));
    }
    assertThat(home.activeConnections()).isEqualTo(50);
    leases.forEach(Lease::close);
  }

  @Test
  void badPlacementSettingsAreRejectedWithNameAndValue() {
    LoadBalancer.Builder builder = LoadBalancer.builder(servers(2));
    assertThatThrownBy(() -> builder.balanceFactor(1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("balanceFactor: 1.0 (expected: > 1 and finite)");
    assertThatThrownBy(() -> builder.balanceFactor(Double.NaN))
        .hasMessage("balanceFactor: NaN (expected: > 1 and finite)");
    assertThatThrownBy(() -> builder.balanceFactor(Double.POSITIVE_INFINITY))
        .hasMessage("balanceFactor: Infinity (expected: > 1 and finite)");
    assertThatThrownBy(() -> builder.placement(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("placement");
  }

  /** Where each of the keys {@code prefix + 0 ..} {@code prefix + (count - 1)} is routed now. */
  private static Map<String, Server> routes(LoadBalancer lb, String prefix, int count) {
    Map<String, Server> routes = new HashMap<>();
    for (int i = 0; i < count; i++) {
      routes.put(prefix + i, routed(lb, keyed(prefix + i)));
    }
    return routes;
  }
}
