package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.fromIp;
import static dev.lbkit.core.FacadeFixtures.keyed;
import static dev.lbkit.core.FacadeFixtures.routed;
import static dev.lbkit.core.FacadeFixtures.servers;
import static dev.lbkit.core.FacadeFixtures.withCookie;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.hashing.ConsistentHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Cookie, client-IP and key affinity through the {@link LoadBalancer} facade. */
class LoadBalancerAffinityTest {

  /** How a server stops being admissible. */
  enum Loss {
    UNHEALTHY,
    DRAINED,
    REMOVED
  }

  // ---------------------------------------------------------------- cookie

  @Test
  void aRequestWithTheAffinityCookieGoesToThatServer() {
    List<Server> servers = servers(4);
    LoadBalancer lb = LoadBalancer.builder(servers).sticky(true).build();
    for (Server s : servers) {
      for (int i = 0; i < 10; i++) {
        assertThat(routed(lb, withCookie(lb, s))).isSameAs(s);
        try (Lease lease = lb.acquire(withCookie(lb, s))) {
          assertThat(lease.server()).isSameAs(s);
        }
      }
    }
    assertThat(lb.affinityCookieName()).isEqualTo(SessionAffinity.DEFAULT_COOKIE_NAME);
  }

  @Test
  void theCookieValueIsAKeyedMacTheSameOnlyUnderTheSameSecret() {
    // Was: an unsalted hash of host:port, the same everywhere, so a client could pin itself to any
    // server and recover an address from a cookie by enumeration.
    byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    Server s = new Server("10.1.0.1", 8080);
    LoadBalancer one = LoadBalancer.builder(List.of(s)).affinitySecret(secret).build();
    LoadBalancer twin =
        LoadBalancer.builder(List.of(new Server("10.1.0.1", 8080))).affinitySecret(secret).build();
    LoadBalancer stranger = new LoadBalancer(List.of(new Server("10.1.0.1", 8080)));
    assertThat(one.affinityCookieValue(s))
        .isEqualTo(twin.affinityCookieValue(new Server("10.1.0.1", 8080)))
        .isNotEqualTo(stranger.affinityCookieValue(s))
        .matches("[A-Za-z0-9_-]{22}")
        .doesNotContain("10.1.0.1");
    assertThat(one.affinityCookieValue(s))
        .isNotEqualTo(one.affinityCookieValue(new Server("10.1.0.2", 8080)));
  }

  @Test
  void aCookieFromAnotherSecretOrAForgedOneIsIgnoredNotAnError() {
    List<Server> servers = servers(4);
    LoadBalancer lb = LoadBalancer.builder(servers).sticky(true).build();
    LoadBalancer other = LoadBalancer.builder(servers).sticky(true).build();
    String ip = "198.51.100.7";
    Server owner = routed(lb, fromIp(ip));
    Server elsewhere = servers.get((servers.indexOf(owner) + 1) % servers.size());
    for (String cookie :
        List.of(
            other.affinityCookieValue(elsewhere), // another balancer's secret
            "AAAAAAAAAAAAAAAAAAAAAA", // the right length, forged
            String.format("%016x", dev.lbkit.hashing.KeyHash.of(elsewhere.id())), // the old format
            "x".repeat(100_000))) {
      Request request =
          Request.builder().clientIp(ip).cookie(lb.affinityCookieName(), cookie).build();
      assertThat(routed(lb, request)).as("routed by the client IP as if no cookie").isSameAs(owner);
    }
  }

  @Test
  void aSecretShorterThan128BitsIsRejected() {
    assertThatThrownBy(() -> LoadBalancer.builder(servers(1)).affinitySecret(new byte[15]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("secret: 15 bytes (expected: >= 16)");
  }

  @Test
  void theCookieWinsOverTheClientIp() {
    List<Server> servers = servers(4);
    LoadBalancer lb = LoadBalancer.builder(servers).sticky(true).build();
    for (int i = 0; i < 50; i++) {
      String ip = "198.51.100." + i;
      Server owner = routed(lb, fromIp(ip));
      Server other = servers.get((servers.indexOf(owner) + 1) % servers.size());
      Request both =
          Request.builder()
              .clientIp(ip)
              .cookie(lb.affinityCookieName(), lb.affinityCookieValue(other))
              .build();
      assertThat(routed(lb, both)).isSameAs(other);
    }
  }

  @Test
  void anUnknownCookieFallsBackToTheClientIp() {
    List<Server> servers = servers(4);
    LoadBalancer lb = LoadBalancer.builder(servers).sticky(true).build();
    for (int i = 0; i < 50; i++) {
      String ip = "198.51.100." + i;
      Request bogus =
          Request.builder().clientIp(ip).cookie(lb.affinityCookieName(), "not-a-server").build();
      assertThat(routed(lb, bogus)).isSameAs(routed(lb, fromIp(ip)));
    }
  }

  @Test
  void withoutStickyTheCookieIsIgnored() {
    List<Server> servers = servers(3);
    LoadBalancer lb = new LoadBalancer(servers);
    Request toFirst = withCookie(lb, servers.get(0));
    assertThat(routed(lb, toFirst)).isSameAs(servers.get(0));
    assertThat(routed(lb, toFirst)).isSameAs(servers.get(1)); // round robin
  }

  @ParameterizedTest
  @EnumSource(Loss.class)
  void aCookieIsRepinnedWhenItsServerIsLostAndTheNewPinHoldsAfterRecovery(Loss loss) {
    List<Server> servers = servers(3);
    LoadBalancer lb = LoadBalancer.builder(servers).sticky(true).build();
    Server old = servers.get(0);
    assertThat(routed(lb, withCookie(lb, old))).isSameAs(old);

    Lease held = null;
    switch (loss) {
      case UNHEALTHY:
        old.setHealthy(false);
        break;
      case DRAINED:
        held = lb.acquire(withCookie(lb, old));
        assertThat(lb.drain(old)).isNotDone();
        break;
      case REMOVED:
        lb.removeServer(old);
        break;
    }
    Server replacement = routed(lb, withCookie(lb, old));
    assertThat(replacement).isNotEqualTo(old);
    assertThat(servers).contains(replacement);
    for (int i = 0; i < 20; i++) {
      assertThat(routed(lb, withCookie(lb, old))).isNotEqualTo(old);
    }
    // The caller sets the cookie to the server it used; the client comes back with it.
    Request repinned = withCookie(lb, replacement);
    for (int i = 0; i < 20; i++) {
      assertThat(routed(lb, repinned)).isSameAs(replacement);
    }

    switch (loss) {
      case UNHEALTHY:
        old.setHealthy(true);
        break;
      case DRAINED:
        held.close();
        lb.addServer(old);
        break;
      case REMOVED:
        lb.addServer(old);
        break;
    }
    for (int i = 0; i < 20; i++) {
      assertThat(routed(lb, repinned)).as("the new pin holds").isSameAs(replacement);
    }
    assertThat(routed(lb, withCookie(lb, old))).as("an old cookie is good again").isSameAs(old);
  }

  // ---------------------------------------------------------------- client IP

  @Test
  void everyBalancerOverTheSameServersRoutesEachIpAlikeInAnyListOrder() {
    List<Server> servers = servers(5);
    // Another process: equal servers, other instances, another order, another algorithm.
    List<Server> elsewhere = new ArrayList<>();
    servers.forEach(s -> elsewhere.add(new Server(s.host(), s.port())));
    Collections.shuffle(elsewhere, new Random(3));
    assertThat(elsewhere).isNotEqualTo(servers);
    LoadBalancer one = LoadBalancer.builder(servers).sticky(true).build();
    LoadBalancer two =
        LoadBalancer.builder(elsewhere).algorithm(Algorithm.LEAST_CONNECTIONS).sticky(true).build();
    ConsistentHash<Server> ring = new ConsistentHash<>(servers);

    List<String> ips = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      ips.add("10." + (i % 7) + "." + (i / 256) + "." + (i % 256));
    }
    Map<String, Server> owners = new HashMap<>();
    for (String ip : ips) {
      Server owner = routed(one, fromIp(ip));
      assertThat(routed(one, fromIp(ip))).as("sticky %s", ip).isSameAs(owner);
      assertThat(routed(two, fromIp(ip)).id()).as("agreement on %s", ip).isEqualTo(owner.id());
      assertThat(owner).as("the ring owner of %s", ip).isEqualTo(ring.getNode(ip));
      owners.put(ip, owner);
    }
    assertThat(new HashSet<>(owners.values())).as("every server owns some IPs").hasSize(5);

    // One server fails in both processes: its IPs move to the same fallback everywhere, and only
    // its IPs move.
    Server failed = servers.get(2);
    failed.setHealthy(false);
    elsewhere.get(elsewhere.indexOf(failed)).setHealthy(false);
    int moved = 0;
    for (String ip : ips) {
      Server now = routed(one, fromIp(ip));
      assertThat(routed(two, fromIp(ip)).id()).as("fallback of %s", ip).isEqualTo(now.id());
      if (owners.get(ip).equals(failed)) {
        assertThat(now).isNotEqualTo(failed);
        moved++;
      } else {
        assertThat(now).as("%s keeps its server", ip).isSameAs(owners.get(ip));
      }
    }
    assertThat(moved).isPositive();

    failed.setHealthy(true);
    elsewhere.get(elsewhere.indexOf(failed)).setHealthy(true);
    for (String ip : ips) {
      assertThat(routed(one, fromIp(ip))).as("%s comes back", ip).isSameAs(owners.get(ip));
    }
  }

  @Test
  void anIpWhoseServerIsAtItsRateLimitGoesToTheNextOnTheRing() {
    FakeTicker ticker = new FakeTicker();
    List<Server> servers = servers(3);
    LoadBalancer lb =
        LoadBalancer.builder(servers).sticky(true).rateLimit(1).ticker(ticker).build();
    Set<Server> seen = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      seen.add(routed(lb, fromIp("192.0.2.1")));
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(servers);
    assertThat(lb.route(fromIp("192.0.2.1"))).isEmpty();
  }

  @Test
  void addingAServerMovesOnlyIpsOntoIt() {
    List<Server> servers = servers(4);
    LoadBalancer lb = LoadBalancer.builder(servers).sticky(true).build();
    Map<String, Server> before = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      before.put("172.16.0." + i, routed(lb, fromIp("172.16.0." + i)));
    }
    Server added = new Server("10.1.0.99", 8080);
    lb.addServer(added);
    int moved = 0;
    for (Map.Entry<String, Server> e : before.entrySet()) {
      Server now = routed(lb, fromIp(e.getKey()));
      if (!now.equals(e.getValue())) {
        assertThat(now).isSameAs(added);
        moved++;
      }
    }
    assertThat(moved).isBetween(1, 250);
  }

  // ---------------------------------------------------------------- key

  @Test
  void keyAffinityPinsRepinsAndExpiresOnFakeTime() {
    FakeTicker ticker = new FakeTicker();
    SessionAffinity affinity =
        new SessionAffinity(SessionAffinity.Method.KEY, Duration.ofMinutes(5), 1000, "c", ticker);
    List<Server> servers = servers(3);
    Server a = servers.get(0);
    Server b = servers.get(1);
    Server c = servers.get(2);
    a.reportLoad(0);
    b.reportLoad(5);
    c.reportLoad(9);
    // LEAST_LOADED: where an unpinned key goes is known, so a lost pin shows.
    LoadBalancer lb =
        LoadBalancer.builder(servers)
            .algorithm(Algorithm.LEAST_LOADED)
            .affinity(affinity)
            .ticker(ticker)
            .build();

    assertThat(routed(lb, keyed("job-1"))).isSameAs(a);
    a.reportLoad(50);
    for (int i = 0; i < 10; i++) {
      assertThat(routed(lb, keyed("job-1"))).as("same key, same server").isSameAs(a);
    }
    assertThat(routed(lb, keyed("job-2"))).isSameAs(b);
    assertThat(routed(lb, FacadeFixtures.path("/no-key"))).isSameAs(b);
    assertThat(affinity.size()).isEqualTo(2);

    // Its server fails: re-pinned; the new pin holds after the old server recovers.
    a.setHealthy(false);
    assertThat(routed(lb, keyed("job-1"))).isSameAs(b);
    a.setHealthy(true);
    a.reportLoad(0);
    for (int i = 0; i < 10; i++) {
      assertThat(routed(lb, keyed("job-1"))).as("follows the new pin").isSameAs(b);
    }
    assertThat(routed(lb, keyed("job-3"))).isSameAs(a);

    // A pin lasts the ttl after its last use (sliding), then expires.
    ticker.advance(Duration.ofMinutes(4));
    assertThat(routed(lb, keyed("job-1"))).isSameAs(b);
    ticker.advance(Duration.ofMinutes(5).minusNanos(1));
    assertThat(routed(lb, keyed("job-1"))).isSameAs(b);
    ticker.advance(Duration.ofMinutes(5));
    assertThat(routed(lb, keyed("job-1"))).as("expired: the algorithm decides").isSameAs(a);
    assertThat(routed(lb, keyed("job-1"))).isSameAs(a);
  }

  @Test
  void keyAffinityRepinsAwayFromDrainingAndRateLimitedServers() {
    FakeTicker ticker = new FakeTicker();
    SessionAffinity affinity =
        new SessionAffinity(SessionAffinity.Method.KEY, Duration.ofMinutes(5), 1000, "c", ticker);
    List<Server> servers = servers(3);
    LoadBalancer lb =
        LoadBalancer.builder(servers)
            .affinity(affinity)
            .rateLimit(1)
            .ticker(ticker)
            .build(); // round robin

    Server first = routed(lb, keyed("k"));
    Server second = routed(lb, keyed("k")); // first is out of tokens: re-pinned
    assertThat(second).isNotEqualTo(first);
    ticker.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 5; i++) {
      assertThat(routed(lb, keyed("k"))).isSameAs(second);
      ticker.advance(Duration.ofSeconds(1));
    }

    Lease held = lb.acquire(keyed("k"));
    assertThat(held.server()).isSameAs(second);
    CompletableFuture<Void> drained = lb.drain(second);
    ticker.advance(Duration.ofSeconds(1));
    Server third = routed(lb, keyed("k"));
    assertThat(third).isNotEqualTo(second);
    held.close();
    assertThat(drained).isCompleted();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(routed(lb, keyed("k"))).isSameAs(third);
  }

  /**
   * A {@link SessionAffinity.Method#COOKIE} affinity given to the builder: "after routing, the
   * caller sets that cookie to cookieValue(server)", so the client's next request carries it and
   * should come back to the same server.
   */
  @Test
  void cookieAffinityGivenToTheBuilderBringsTheSecondRequestBack() {
    FakeTicker ticker = new FakeTicker();
    SessionAffinity cookies =
        new SessionAffinity(
            SessionAffinity.Method.COOKIE, Duration.ofMinutes(5), 1000, "SID", ticker);
    List<Server> servers = servers(3);
    LoadBalancer lb = LoadBalancer.builder(servers).affinity(cookies).ticker(ticker).build();
    Server first = routed(lb, FacadeFixtures.path("/login")); // no cookie yet
    Request next =
        Request.builder().path("/cart").cookie("SID", cookies.cookieValue(first)).build();
    assertThat(routed(lb, next)).isSameAs(first);
  }

  /** The value the balancer tells callers to set is the one its COOKIE affinity honours. */
  @Test
  void theBalancersCookieValueIsThatOfItsCookieAffinity() {
    FakeTicker ticker = new FakeTicker();
    SessionAffinity cookies =
        new SessionAffinity(
            SessionAffinity.Method.COOKIE, Duration.ofMinutes(5), 1000, "SID", ticker);
    List<Server> servers = servers(3);
    LoadBalancer lb = LoadBalancer.builder(servers).affinity(cookies).ticker(ticker).build();
    Server first = routed(lb, FacadeFixtures.path("/login"));
    assertThat(lb.affinityCookieName()).isEqualTo("SID");
    assertThat(lb.affinityCookieValue(first)).isEqualTo(cookies.cookieValue(first));
    Request next =
        Request.builder().cookie(lb.affinityCookieName(), lb.affinityCookieValue(first)).build();
    assertThat(routed(lb, next)).isSameAs(first);
  }

  /** What does work with a COOKIE affinity on the builder: once pinned, a cookie sticks. */
  @Test
  void cookieAffinityGivenToTheBuilderSticksOnceACookieWasPinned() {
    FakeTicker ticker = new FakeTicker();
    SessionAffinity cookies =
        new SessionAffinity(
            SessionAffinity.Method.COOKIE, Duration.ofMinutes(5), 1000, "SID", ticker);
    List<Server> servers = servers(3);
    LoadBalancer lb = LoadBalancer.builder(servers).affinity(cookies).ticker(ticker).build();
    Request withAnyCookie = Request.builder().cookie("SID", "fresh").build();
    Server pinned = routed(lb, withAnyCookie); // pinned under pinned's cookie value
    Request next = Request.builder().cookie("SID", cookies.cookieValue(pinned)).build();
    for (int i = 0; i < 10; i++) {
      assertThat(routed(lb, next)).isSameAs(pinned);
    }
  }

  @Test
  void keyAffinityWithRoundRobinKeepsEachKeyOnOneServer() {
    FakeTicker ticker = new FakeTicker();
    SessionAffinity affinity =
        new SessionAffinity(SessionAffinity.Method.KEY, Duration.ofMinutes(5), 1000, "c", ticker);
    List<Server> servers = servers(3);
    LoadBalancer lb = LoadBalancer.builder(servers).affinity(affinity).ticker(ticker).build();
    Map<String, Server> pinned = new HashMap<>();
    for (int round = 0; round < 5; round++) {
      for (int k = 0; k < 30; k++) {
        Server s = routed(lb, keyed("key-" + k));
        Server first = pinned.putIfAbsent("key-" + k, s);
        if (first != null) {
          assertThat(s).as("key-%s", k).isSameAs(first);
        }
      }
      routed(lb, FacadeFixtures.path("/unkeyed")); // moves the round robin on
    }
    assertThat(new HashSet<>(pinned.values())).hasSize(3);
    assertThat(affinity.size()).isEqualTo(30);
  }
}
