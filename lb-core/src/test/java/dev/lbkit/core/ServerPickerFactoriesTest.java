package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.ConsistentHash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The pickers behind the randomized and load-aware algorithms: {@link ServerPicker#random}, {@link
 * ServerPicker#powerOfChoices}, {@link ServerPicker#leastLoaded} and {@link
 * ServerPicker#consistentHash}. Randomized ones run on {@link RandomSources#seeded}, so every
 * assertion is deterministic.
 */
class ServerPickerFactoriesTest {

  /** A seeded source that remembers every bounded draw, to check a pick against its draws. */
  static final class Recording implements RandomGenerator {
    private final RandomGenerator delegate = RandomSources.seeded(42);
    final List<Integer> draws = new ArrayList<>();

    @Override
    public long nextLong() {
      return delegate.nextLong();
    }

    @Override
    public int nextInt(int bound) {
      int draw = delegate.nextInt(bound);
      draws.add(draw);
      return draw;
    }
  }

  /** Opens {@code count} connections on {@code server}. */
  private static void load(Server server, int count) {
    for (int i = 0; i < count; i++) {
      server.connectionOpened();
    }
  }

  private static Request key(String key) {
    return Request.builder().key(key).build();
  }

  // ---------------------------------------------------------------- random

  @Test
  void randomPicksTheDrawnHealthyServer() {
    List<Server> servers = servers(5);
    servers.get(1).setHealthy(false);
    List<Server> healthy = List.of(servers.get(0), servers.get(2), servers.get(3), servers.get(4));
    Recording random = new Recording();
    ServerPicker picker = ServerPicker.random(servers, random);
    for (int i = 0; i < 1_000; i++) {
      Server picked = picker.next();
      assertThat(picked).isSameAs(healthy.get(random.draws.get(random.draws.size() - 1)));
    }
    servers.forEach(s -> s.setHealthy(false));
    assertThat(picker.next()).isNull();
    assertThat(ServerPicker.random(List.of(), random).next()).isNull();
  }

  @Test
  void randomIsReproducibleFromASeedAndRoughlyUniform() {
    List<Server> servers = servers(3);
    ServerPicker one = ServerPicker.random(servers, RandomSources.seeded(42));
    ServerPicker two = ServerPicker.random(servers, RandomSources.seeded(42));
    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < 30_000; i++) {
      Server picked = one.next();
      assertThat(two.next()).isSameAs(picked);
      counts.merge(picked, 1, Integer::sum);
    }
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(9_500, 10_500));
  }

  // ---------------------------------------------------------------- power of choices

  @Test
  void powerOfTwoPicksTheLessLoadedOfItsTwoDraws() {
    List<Server> servers = servers(5);
    for (int i = 0; i < servers.size(); i++) {
      load(servers.get(i), (i * 3) % 5); // 0, 3, 1, 4, 2: distinct
    }
    Recording random = new Recording();
    ServerPicker picker = ServerPicker.powerOfChoices(servers, 2, random);
    Set<Server> picked = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      int before = random.draws.size();
      Server s = picker.next();
      assertThat(random.draws).hasSize(before + 2);
      int first = random.draws.get(before);
      int second = random.draws.get(before + 1);
      if (second >= first) {
        second++; // the second draw is over the other n - 1 servers
      }
      Server a = servers.get(first);
      Server b = servers.get(second);
      assertThat(s).isIn(a, b);
      assertThat(s.activeConnections())
          .as("picked %s of %s and %s", s, a, b)
          .isEqualTo(Math.min(a.activeConnections(), b.activeConnections()));
      picked.add(s);
    }
    assertThat(picked).as("never the most loaded").doesNotContain(servers.get(3)).hasSize(4);
  }

  @Test
  void powerOfChoicesSkipsUnhealthyServers() {
    List<Server> servers = servers(4);
    load(servers.get(0), 5);
    servers.get(1).setHealthy(false); // idle but unhealthy
    ServerPicker picker = ServerPicker.powerOfChoices(servers, 2, RandomSources.seeded(42));
    for (int i = 0; i < 1_000; i++) {
      Server s = picker.next();
      assertThat(s.isHealthy()).isTrue();
    }
    servers.forEach(s -> s.setHealthy(false));
    assertThat(picker.next()).isNull();
    servers.get(0).setHealthy(true);
    assertThat(picker.next()).as("a single healthy server").isSameAs(servers.get(0));
  }

  @Test
  void powerOfKChoicesNeverPicksAmongTheKMinusOneMostLoaded() {
    List<Server> servers = servers(6);
    for (int i = 0; i < servers.size(); i++) {
      load(servers.get(i), (i * 5) % 6); // 0, 5, 4, 3, 2, 1
    }
    ServerPicker three = ServerPicker.powerOfChoices(servers, 3, RandomSources.seeded(42));
    Set<Integer> loads = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      loads.add(three.next().activeConnections());
    }
    assertThat(loads).containsExactlyInAnyOrder(0, 1, 2, 3); // never 4 or 5

    ServerPicker all = ServerPicker.powerOfChoices(servers, 6, RandomSources.seeded(42));
    ServerPicker more = ServerPicker.powerOfChoices(servers, 50, RandomSources.seeded(42));
    for (int i = 0; i < 200; i++) {
      assertThat(all.next()).as("k = n is a full scan").isSameAs(servers.get(0));
      assertThat(more.next()).isSameAs(servers.get(0));
    }
  }

  @Test
  void oneChoiceIsPlainRandom() {
    List<Server> servers = servers(3);
    load(servers.get(0), 100);
    ServerPicker picker = ServerPicker.powerOfChoices(servers, 1, RandomSources.seeded(42));
    Set<Server> picked = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      picked.add(picker.next());
    }
    assertThat(picked).containsExactlyInAnyOrderElementsOf(servers);
  }

  // ---------------------------------------------------------------- least loaded

  @Test
  void leastLoadedPicksTheLowestReportedLoad() {
    List<Server> servers = servers(3);
    servers.get(0).reportLoad(5);
    servers.get(1).reportLoad(2);
    servers.get(2).reportLoad(9);
    ServerPicker picker = ServerPicker.leastLoaded(servers);
    for (int i = 0; i < 20; i++) {
      assertThat(picker.next()).isSameAs(servers.get(1));
    }
    load(servers.get(1), 50); // connections only break ties of load
    assertThat(picker.next()).isSameAs(servers.get(1));
    servers.get(1).setHealthy(false);
    assertThat(picker.next()).isSameAs(servers.get(0));
    servers.get(0).reportLoad(10);
    assertThat(picker.next()).isSameAs(servers.get(2));
  }

  @Test
  void leastLoadedBreaksTiesByConnectionsThenInTurn() {
    List<Server> servers = servers(4);
    servers.forEach(s -> s.reportLoad(3));
    servers.get(3).reportLoad(7);
    load(servers.get(0), 2);
    ServerPicker picker = ServerPicker.leastLoaded(servers);
    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      counts.merge(picker.next(), 1, Integer::sum);
    }
    // Servers 1 and 2 tie on load and connections: only they are picked, both of them. (The scan
    // starts one server further each pick and keeps the first of the tied, so server 1, which
    // follows the busier server 0, gets three picks in four; see LeastConnectionsTest.)
    assertThat(counts).containsOnlyKeys(servers.get(1), servers.get(2));
    assertThat(counts.get(servers.get(1))).isEqualTo(75);
    assertThat(counts.get(servers.get(2))).isEqualTo(25);
  }

  @Test
  void leastLoadedComparesLoadsAboveTwoToTheThirtyOne() {
    Server heavy = new Server("10.1.0.1", 8080);
    Server light = new Server("10.1.0.2", 8080);
    heavy.reportLoad(5_000_000_000L); // e.g. bytes queued
    light.reportLoad(3_000_000_000L);
    load(light, 1);
    ServerPicker picker = ServerPicker.leastLoaded(List.of(heavy, light));
    for (int i = 0; i < 4; i++) {
      assertThat(picker.next()).as("the lower load").isSameAs(light);
    }
  }

  // ---------------------------------------------------------------- consistent hash

  @Test
  void consistentHashSendsAKeyToItsRingOwnerAlways() {
    List<Server> servers = servers(5);
    ServerPicker picker = ServerPicker.consistentHash(servers);
    ConsistentHash<Server> ring = new ConsistentHash<>(servers);
    Set<Server> owners = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      Request request = key("user:" + i);
      Server owner = picker.next(request);
      assertThat(owner).isEqualTo(ring.getNode("user:" + i));
      assertThat(picker.next(request)).isSameAs(owner);
      owners.add(owner);
    }
    assertThat(owners).hasSize(5);
  }

  @Test
  void consistentHashPrefersTheKeyThenTheClientIpThenRoundRobin() {
    List<Server> servers = servers(5);
    ServerPicker picker = ServerPicker.consistentHash(servers);
    ConsistentHash<Server> ring = new ConsistentHash<>(servers);
    for (int i = 0; i < 200; i++) {
      String ip = "192.0.2." + i;
      Request both = Request.builder().key("k" + i).clientIp(ip).build();
      assertThat(picker.next(both)).isEqualTo(ring.getNode("k" + i));
      assertThat(picker.next(FacadeFixtures.fromIp(ip))).isEqualTo(ring.getNode(ip));
    }
    List<Server> picks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      picks.add(picker.next(Request.empty()));
    }
    assertThat(picks.subList(0, 5)).containsExactlyInAnyOrderElementsOf(servers);
    assertThat(picks.subList(5, 10)).isEqualTo(picks.subList(0, 5));
  }

  @Test
  void consistentHashFallsBackAlongTheRingAndComesBack() {
    List<Server> servers = servers(5);
    ServerPicker picker = ServerPicker.consistentHash(servers);
    Map<String, Server> owners = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      owners.put("user:" + i, picker.next(key("user:" + i)));
    }
    Server down = servers.get(3);
    down.setHealthy(false);
    List<Server> rest = new ArrayList<>(servers);
    rest.remove(down);
    ConsistentHash<Server> withoutDown = new ConsistentHash<>(rest);
    for (Map.Entry<String, Server> e : owners.entrySet()) {
      Server now = picker.next(key(e.getKey()));
      assertThat(now).isNotEqualTo(down).isEqualTo(withoutDown.getNode(e.getKey()));
      if (!e.getValue().equals(down)) {
        assertThat(now).as("%s does not move", e.getKey()).isSameAs(e.getValue());
      }
    }
    down.setHealthy(true);
    for (Map.Entry<String, Server> e : owners.entrySet()) {
      assertThat(picker.next(key(e.getKey()))).isSameAs(e.getValue());
    }
  }

  @Test
  void consistentHashWalksTheRingPastServersTheCallerRefuses() {
    List<Server> servers = servers(5);
    ServerPicker picker = ServerPicker.consistentHash(servers);
    for (int i = 0; i < 300; i++) {
      Request request = key("order:" + i);
      Server owner = picker.next(request);
      List<Server> rest = new ArrayList<>(servers);
      rest.remove(owner);
      Server next = picker.next(request, s -> s != owner);
      assertThat(next).isEqualTo(new ConsistentHash<>(rest).getNode("order:" + i));
      assertThat(picker.next(request, s -> false)).isNull();
    }
  }

  @Test
  void theDefaultAdmissionWalkGoesOnInListOrder() {
    List<Server> servers = servers(4);
    RoundRobin picker = new RoundRobin(servers);
    List<Server> offered = new ArrayList<>();
    Server picked =
        picker.next(
            Request.empty(),
            s -> {
              offered.add(s);
              return s == servers.get(2);
            });
    assertThat(picked).isSameAs(servers.get(2));
    assertThat(offered).containsExactly(servers.get(0), servers.get(1), servers.get(2));
    offered.clear();
    assertThat(
            picker.next(
                Request.empty(),
                s -> {
                  offered.add(s);
                  return false;
                }))
        .isNull();
    assertThat(offered).as("each server offered once").hasSize(4).doesNotHaveDuplicates();
  }
}
