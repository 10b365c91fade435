package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static dev.lbkit.core.FacadeFixtures.withCookie;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadBalancer#eject}: an ejected server takes nothing until the balancer's fake time passes
 * its deadline, whatever path the request takes, and the cap on ejections holds.
 */
class LoadBalancerEjectionTest {

  private static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

  private final FakeTicker ticker = new FakeTicker();
  private final List<Server> servers = servers(3);
  private final Server a = servers.get(0);
  private final Server b = servers.get(1);
  private final Server c = servers.get(2);

  private LoadBalancer.Builder builder(List<Server> servers) {
    return LoadBalancer.builder(servers).ticker(ticker);
  }

  /** Routes {@code n} requests and returns the last octet of each server's host, or '-'. */
  private static String trace(LoadBalancer lb, int n) {
    StringBuilder trace = new StringBuilder();
    for (int i = 0; i < n; i++) {
      Optional<Server> s = lb.route(path("/" + i));
      trace.append(
          s.map(server -> server.host().substring(server.host().length() - 1)).orElse("-"));
    }
    return trace.toString();
  }

  @Test
  void anEjectedServerGetsNothingUntilTheFakeTimePasses() {
    LoadBalancer lb = builder(servers).build();
    assertThat(trace(lb, 3)).isEqualTo("123");

    assertThat(lb.eject(b, THIRTY_SECONDS)).isTrue();
    assertThat(lb.isEjected(b)).isTrue();
    // Round robin offers 2 in its turn; it is refused and the next one in list order takes it.
    assertThat(trace(lb, 6)).isEqualTo("133133");

    ticker.advance(THIRTY_SECONDS.minusNanos(1));
    assertThat(lb.isEjected(b)).isTrue();
    assertThat(trace(lb, 3)).isEqualTo("133");

    ticker.advanceNanos(1); // the deadline itself: back
    assertThat(lb.isEjected(b)).isFalse();
    assertThat(trace(lb, 6)).isEqualTo("123123");
  }

  @Test
  void leasesAreNotGrantedOnAnEjectedServer() {
    Server only = new Server("10.9.0.1", 80);
    LoadBalancer lb = builder(List.of(only)).build();
    assertThat(lb.eject(only, THIRTY_SECONDS)).isTrue();

    assertThat(lb.tryAcquire(path("/x"))).isEmpty();
    assertThatThrownBy(() -> lb.acquire(path("/y"))).isInstanceOf(NoServerAvailableException.class);
    assertThat(lb.route(path("/z"))).isEmpty();
    assertThat(lb.stats().rejected()).isEqualTo(3);

    ticker.advance(THIRTY_SECONDS);
    try (Lease lease = lb.acquire(path("/back"))) {
      assertThat(lease.server()).isSameAs(only);
    }
  }

  @Test
  void failoverSkipsAnEjectedServer() {
    LoadBalancer lb = builder(servers).build();
    lb.eject(a, THIRTY_SECONDS);
    List<Server> tried = new ArrayList<>();
    String result =
        lb.execute(
            path("/x"),
            server -> {
              tried.add(server);
              return server.id();
            });
    assertThat(result).isEqualTo(b.id());
    assertThat(tried).containsExactly(b);
  }

  @Test
  void anAffinityCookieForAnEjectedServerGoesElsewhereAndComesBackAfter() {
    LoadBalancer lb = builder(servers).sticky(true).build();
    assertThat(lb.route(withCookie(lb, b))).contains(b);
    lb.eject(b, THIRTY_SECONDS);
    for (int i = 0; i < 5; i++) {
      assertThat(lb.route(withCookie(lb, b)).orElseThrow()).isNotEqualTo(b);
    }
    ticker.advance(THIRTY_SECONDS);
    assertThat(lb.route(withCookie(lb, b))).contains(b);
  }

  @Test
  void unejectBringsTheServerBackAtOnce() {
    LoadBalancer lb = builder(servers).build();
    lb.eject(b, THIRTY_SECONDS);
    assertThat(lb.uneject(b)).isTrue();
    assertThat(lb.isEjected(b)).isFalse();
    assertThat(trace(lb, 3)).isEqualTo("123");

    assertThat(lb.uneject(b)).as("not ejected any more").isFalse();
    assertThat(lb.uneject(new Server("10.9.9.9", 1))).as("not a member").isFalse();
    lb.eject(c, THIRTY_SECONDS);
    ticker.advance(THIRTY_SECONDS);
    assertThat(lb.uneject(c)).as("its ejection had ended").isFalse();
  }

  @Test
  void ejectingAgainSetsANewDeadline() {
    LoadBalancer lb = builder(servers).build();
    lb.eject(b, THIRTY_SECONDS);
    ticker.advance(Duration.ofSeconds(20));
    assertThat(lb.eject(b, THIRTY_SECONDS)).isTrue(); // now until 50 s
    ticker.advance(Duration.ofSeconds(20));
    assertThat(lb.isEjected(b)).isTrue();
    assertThat(lb.eject(b, Duration.ofSeconds(1))).as("may shorten it").isTrue();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(lb.isEjected(b)).isFalse();
  }

  @Test
  void ejectionEndsRightAcrossTheTickersOverflow() {
    // The deadline wraps past Long.MAX_VALUE; the second start lands it on the "none" sentinel.
    for (long start :
        new long[] {Long.MAX_VALUE - 1_000_000_000L, Long.MIN_VALUE - THIRTY_SECONDS.toNanos()}) {
      ticker.setNanos(start);
      LoadBalancer lb = builder(servers).build();
      assertThat(lb.eject(b, THIRTY_SECONDS)).isTrue();
      ticker.advance(Duration.ofSeconds(29));
      assertThat(lb.isEjected(b)).as("start %d", start).isTrue();
      assertThat(trace(lb, 3)).isEqualTo("133");
      ticker.advance(Duration.ofSeconds(2));
      assertThat(lb.isEjected(b)).as("start %d", start).isFalse();
    }
  }

  @Test
  void ejectionDoesNotTouchHealthAndAnUnhealthyServerStaysOutAfterIt() {
    LoadBalancer lb = builder(servers).build();
    b.setHealthy(false);
    assertThat(lb.eject(b, THIRTY_SECONDS)).isTrue();
    ticker.advance(THIRTY_SECONDS);
    assertThat(lb.isEjected(b)).isFalse();
    assertThat(b.isHealthy()).isFalse();
    assertThat(trace(lb, 4)).isEqualTo("1313");
    b.setHealthy(true);
    assertThat(trace(lb, 3)).contains("1", "2", "3");
  }

  @Test
  void aDrainingServerStaysOutWhenUnejectedAndCountsAgainstNoCap() {
    List<Server> four = servers(4);
    LoadBalancer lb = builder(four).maxEjectionPercent(25).build(); // one of four
    Lease held = lb.acquire(path("/held")); // on the first server: keeps its drain open
    Server draining = held.server();
    CompletableFuture<Void> drained = lb.drain(draining);

    assertThat(lb.eject(draining, THIRTY_SECONDS)).as("a member still").isTrue();
    assertThat(lb.eject(four.get(1), THIRTY_SECONDS))
        .as("the draining one counts on neither side: 1 of 3 servers")
        .isTrue();
    assertThat(lb.eject(four.get(2), THIRTY_SECONDS)).isFalse();

    assertThat(lb.uneject(draining)).isTrue();
    for (int i = 0; i < 6; i++) {
      assertThat(lb.route(path("/" + i)).orElseThrow()).isNotIn(draining, four.get(1));
    }
    held.close();
    assertThat(drained).isDone();
    assertThat(lb.servers()).doesNotContain(draining);
  }

  @Test
  void atMostTheCapIsEjectedAtOnceAndAlwaysOne() {
    List<Server> ten = servers(10);
    LoadBalancer lb = builder(ten).build(); // 10% by default: one of ten
    assertThat(lb.eject(ten.get(0), THIRTY_SECONDS)).isTrue();
    assertThat(lb.eject(ten.get(1), THIRTY_SECONDS)).isFalse();
    assertThat(lb.isEjected(ten.get(1))).isFalse();
    assertThat(lb.eject(ten.get(0), THIRTY_SECONDS)).as("ejected already: no new slot").isTrue();

    ticker.advance(THIRTY_SECONDS); // the first comes back, freeing its slot
    assertThat(lb.eject(ten.get(1), THIRTY_SECONDS)).isTrue();

    assertThat(lb.eject(ten.get(2), THIRTY_SECONDS, 30)).as("3 of 10").isTrue();
    assertThat(lb.eject(ten.get(3), THIRTY_SECONDS, 30)).isTrue();
    assertThat(lb.eject(ten.get(4), THIRTY_SECONDS, 30)).isFalse();
    assertThat(lb.eject(ten.get(4), THIRTY_SECONDS, 50)).isTrue();
    assertThat(ten.stream().filter(lb::isEjected).count()).isEqualTo(4);

    LoadBalancer small = builder(servers(3)).maxEjectionPercent(1).build();
    assertThat(small.eject(small.servers().get(0), THIRTY_SECONDS)).as("1% of 3: one").isTrue();
    assertThat(small.eject(small.servers().get(1), THIRTY_SECONDS)).isFalse();
  }

  @Test
  void aRemovedServerForgetsItsEjection() {
    LoadBalancer lb = builder(servers).build();
    lb.eject(b, THIRTY_SECONDS);
    lb.removeServer(b);
    assertThat(lb.isEjected(b)).isFalse();
    assertThat(lb.eject(b, THIRTY_SECONDS)).as("not a member").isFalse();
    lb.addServer(b);
    assertThat(lb.isEjected(b)).isFalse();
    assertThat(lb.eject(c, THIRTY_SECONDS)).as("the slot is free again").isTrue();
  }

  @Test
  void statsShowTheEjection() {
    LoadBalancer lb = builder(servers).build();
    lb.eject(b, THIRTY_SECONDS);
    assertThat(lb.stats().servers().get(b.id()).ejected()).isTrue();
    assertThat(lb.stats().servers().get(a.id()).ejected()).isFalse();
    ticker.advance(THIRTY_SECONDS);
    assertThat(lb.stats().servers().get(b.id()).ejected()).isFalse();
  }

  @Test
  void aWaitingAcquireGetsTheServerWhenItIsUnejected() throws Exception {
    Server only = new Server("10.9.0.1", 80);
    LoadBalancer lb = builder(List.of(only)).build();
    lb.eject(only, Duration.ofDays(1));
    FacadeFixtures.Waiter waiter =
        new FacadeFixtures.Waiter(lb, path("/wait"), FacadeFixtures.BOUND).awaitQueued();
    lb.uneject(only);
    Lease lease = waiter.outcome.get(FacadeFixtures.BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(lease.server()).isSameAs(only);
    lease.close();
    waiter.join();
  }

  /**
   * The race between a route that finds an ejection passed (and resets it) and a new ejection of
   * the same server: the reset must never wipe the new ejection. The ticker makes the race happen
   * every time: the route's clock read, between its read of the old deadline and its reset, ejects
   * the server again.
   */
  @Test
  void aRouteResettingAPassedEjectionNeverWipesANewOne() {
    AtomicReference<LoadBalancer> holder = new AtomicReference<>();
    AtomicBoolean armed = new AtomicBoolean();
    Ticker racing =
        () -> {
          if (armed.getAndSet(false)) {
            assertThat(holder.get().eject(a, THIRTY_SECONDS)).isTrue();
          }
          return ticker.read();
        };
    LoadBalancer lb = LoadBalancer.builder(servers).ticker(racing).build();
    holder.set(lb);
    lb.eject(a, Duration.ofNanos(1));
    ticker.advanceNanos(1); // passed: the next admission of a resets it

    armed.set(true);
    // This route read a's old deadline before the new ejection: it may take a, as if first.
    assertThat(lb.route(path("/race"))).contains(a);
    assertThat(armed).isFalse();
    assertThat(lb.isEjected(a)).isTrue();
    assertThat(trace(lb, 3)).doesNotContain("1");
  }

  @Test
  void badInputIsRejectedAndChangesNothing() {
    LoadBalancer lb = builder(servers).build();
    assertThatThrownBy(() -> lb.eject(null, THIRTY_SECONDS))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> lb.eject(b, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("duration");
    assertThatThrownBy(() -> lb.eject(b, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration: PT-1S (expected: > 0)");
    assertThatThrownBy(() -> lb.eject(b, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration: PT0S (expected: > 0)");
    assertThatThrownBy(() -> lb.eject(b, THIRTY_SECONDS, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEjectionPercent: 0 (expected: 1..100)");
    assertThatThrownBy(() -> lb.eject(b, THIRTY_SECONDS, 101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEjectionPercent: 101 (expected: 1..100)");
    assertThatThrownBy(() -> lb.uneject(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> lb.isEjected(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> LoadBalancer.builder(servers).maxEjectionPercent(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEjectionPercent: -3 (expected: 1..100)");
    assertThat(servers).noneMatch(lb::isEjected);
    assertThat(trace(lb, 3)).isEqualTo("123");
  }
}
