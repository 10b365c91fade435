package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link LoadBalancer#tryAcquire(Request, Server)}: a lease on the server the caller chose. */
class TryAcquireServerTest {

  private final FakeTicker ticker = new FakeTicker();

  @Test
  void leasesTheChosenServerAndCountsItLikeAnyLease() {
    List<Server> s = servers(3);
    AtomicInteger routed = new AtomicInteger();
    LoadBalancer lb =
        LoadBalancer.builder(s)
            .algorithm(Algorithm.LEAST_CONNECTIONS)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onRouted(Request request, Server server) {
                    routed.incrementAndGet();
                  }
                })
            .build();
    Lease sticky = lb.tryAcquire(path("/jobs/7"), s.get(2)).orElseThrow();
    assertThat(sticky.server()).isSameAs(s.get(2));
    assertThat(s.get(2).activeConnections()).isEqualTo(1);
    assertThat(routed.get()).isEqualTo(1);
    assertThat(lb.stats().requestsPerServer()).containsEntry(s.get(2).id(), 1L);
    // least connections sees the sticky forward: the next two go elsewhere
    try (Lease a = lb.acquire(path("/a"));
        Lease b = lb.acquire(path("/b"))) {
      assertThat(List.of(a.server(), b.server())).doesNotContain(s.get(2));
    }
    sticky.close();
    assertThat(s.get(2).activeConnections()).isZero();
    assertThat(lb.stats().totalCompleted()).isEqualTo(3);
  }

  @Test
  void findsTheMemberByIdWhateverInstanceIsGiven() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).build();
    Server sameId = new Server(s.get(0).host(), s.get(0).port());
    Lease lease = lb.tryAcquire(path("/x"), sameId).orElseThrow();
    assertThat(lease.server()).isSameAs(s.get(0));
    lease.close();
  }

  @Test
  void isEmptyAndCountedRejectedUnlessTheServerIsAMemberAndAdmissible() {
    List<Server> s = servers(6);
    LoadBalancer lb =
        LoadBalancer.builder(s.subList(0, 5))
            .ticker(ticker)
            .maxEjectionPercent(100)
            .rateLimit(1.0, 1)
            .build();
    s.get(0).setHealthy(false);
    Lease open = lb.acquire(path("/held")); // on server 1 (round robin skips server 0)
    assertThat(open.server()).isEqualTo(s.get(1));
    lb.drain(s.get(1));
    lb.eject(s.get(2), Duration.ofMinutes(1));
    lb.setMaxConcurrent(s.get(3), 1);
    Lease full = lb.tryAcquire(path("/full"), s.get(3)).orElseThrow();
    lb.acquire(path("/token")).close(); // server 4's only token

    for (Server refused : s) {
      assertThat(lb.tryAcquire(path("/x"), refused)).as(refused.id()).isEmpty();
    }
    assertThat(lb.stats().rejected()).isEqualTo(6);
    full.close();
    open.close();
  }

  @Test
  void inPanicAnUnhealthyServerCanBeLeased() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s).panicThreshold(0.5).build();
    s.forEach(server -> server.setHealthy(false));
    assertThat(lb.isPanicking()).isTrue();
    Optional<Lease> lease = lb.tryAcquire(path("/x"), s.get(1));
    assertThat(lease).isPresent();
    lease.get().close();
  }

  @Test
  void doesNotOvertakeWaitingAcquires() throws Exception {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).maxConcurrent(1).build();
    Lease held = lb.acquire(path("/held"));
    FacadeFixtures.Waiter waiter =
        new FacadeFixtures.Waiter(lb, path("/waiting"), Duration.ofMinutes(1)).awaitQueued();
    held.close(); // the waiter gets the slot, not the targeted acquire below
    Lease granted =
        waiter.outcome.get(FacadeFixtures.BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(lb.tryAcquire(path("/x"), s.get(0))).isEmpty();
    granted.close();
    lb.tryAcquire(path("/x"), s.get(0)).orElseThrow().close();
  }

  @Test
  void rejectsNullArguments() {
    LoadBalancer lb = LoadBalancer.builder(servers(1)).build();
    assertThatThrownBy(() -> lb.tryAcquire(null, servers(1).get(0)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> lb.tryAcquire(path("/x"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
  }
}
