package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link NoServerAvailableException#refusal()} and {@link NoServerAvailableException#retryAfter()}:
 * each {@link Refusal} from a balancer set up in exactly that situation, the most transient one
 * when servers are refused for different reasons, and the retry-after hint on fake time.
 */
class RefusalTest {

  private final FakeTicker ticker = new FakeTicker(1_000_000_000L);

  private static NoServerAvailableException refusedBy(LoadBalancer lb) {
    NoServerAvailableException e =
        catchThrowableOfType(() -> lb.acquire(path("/x")), NoServerAvailableException.class);
    assertThat(e).as("acquire was not refused").isNotNull();
    return e;
  }

  @Test
  void anEmptyBalancerRefusesAsNoServers() {
    LoadBalancer lb = LoadBalancer.builder(List.of()).build();
    NoServerAvailableException e = refusedBy(lb);
    assertThat(e.refusal()).isEqualTo(Refusal.NO_SERVERS);
    assertThat(e.retryAfter()).isEmpty();
    assertThat(e).isInstanceOf(LoadBalancerException.class).hasMessageContaining("NO_SERVERS");
  }

  @Test
  void allServersUnhealthyRefusesAsUnhealthy() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s).build();
    s.forEach(server -> server.setHealthy(false));
    assertThat(refusedBy(lb).refusal()).isEqualTo(Refusal.UNHEALTHY);
  }

  @Test
  void theOnlyServerDrainingRefusesAsDraining() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).build();
    try (Lease open = lb.acquire(path("/long"))) { // keeps the drain from ending at once
      lb.drain(s.get(0));
      NoServerAvailableException e = refusedBy(lb);
      assertThat(e.refusal()).isEqualTo(Refusal.DRAINING);
      assertThat(e.retryAfter()).isEmpty();
    }
  }

  @Test
  void allServersEjectedRefusesAsEjected() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s).ticker(ticker).maxEjectionPercent(100).build();
    s.forEach(server -> assertThat(lb.eject(server, Duration.ofSeconds(30))).isTrue());
    assertThat(refusedBy(lb).refusal()).isEqualTo(Refusal.EJECTED);
    ticker.advance(Duration.ofSeconds(30));
    lb.acquire(path("/back")).close();
  }

  @Test
  void allServersFullRefusesAsAtCapacity() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).maxConcurrent(1).build();
    try (Lease held = lb.acquire(path("/held"))) {
      NoServerAvailableException e = refusedBy(lb);
      assertThat(e.refusal()).isEqualTo(Refusal.AT_CAPACITY);
      assertThat(e.retryAfter()).isEmpty();
    }
  }

  @Test
  void aWaitingAcquireRunningOutIsRefusedAsAtCapacity() throws InterruptedException {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).maxConcurrent(1).build();
    try (Lease held = lb.acquire(path("/held"))) {
      NoServerAvailableException e =
          catchThrowableOfType(
              () -> lb.acquire(path("/wait"), Duration.ZERO), NoServerAvailableException.class);
      assertThat(e.refusal()).isEqualTo(Refusal.AT_CAPACITY);
      assertThat(e).hasMessageContaining("within PT0S");
    }
  }

  @Test
  void allServersOutOfTokensRefusesAsRateLimitedWithTheExactWait() {
    List<Server> s = servers(1);
    // 10 a second: a token every 100 ms, burst 1.
    LoadBalancer lb = LoadBalancer.builder(s).ticker(ticker).rateLimit(10.0, 1).build();
    lb.acquire(path("/first")).close();

    NoServerAvailableException e = refusedBy(lb);
    assertThat(e.refusal()).isEqualTo(Refusal.RATE_LIMITED);
    assertThat(e.retryAfter()).contains(Duration.ofMillis(100));

    ticker.advance(Duration.ofMillis(30));
    Duration wait = refusedBy(lb).retryAfter().orElseThrow();
    assertThat(wait).isEqualTo(Duration.ofMillis(70));

    // The hint is the true wait: a nanosecond early is refused, on time is admitted.
    ticker.advanceNanos(wait.toNanos() - 1);
    assertThat(refusedBy(lb).retryAfter()).contains(Duration.ofNanos(1));
    ticker.advanceNanos(1);
    lb.acquire(path("/on time")).close();
  }

  @Test
  void retryAfterIsTheWaitOfTheFirstServerToHaveAToken() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s).ticker(ticker).rateLimit(10.0, 1).build();
    lb.setRateLimit(s.get(1), 4.0, 1); // a token every 250 ms
    lb.acquire(path("/a")).close();
    lb.acquire(path("/b")).close();
    ticker.advance(Duration.ofMillis(20));
    NoServerAvailableException e = refusedBy(lb);
    assertThat(e.refusal()).isEqualTo(Refusal.RATE_LIMITED);
    // Server 0 refills in 100 ms, server 1 in 250 ms: the hint is within one interval of 80 ms.
    assertThat(e.retryAfter()).contains(Duration.ofMillis(80));
  }

  @Test
  void mixedReasonsReportTheMostTransient() {
    List<Server> s = servers(3);
    LoadBalancer lb =
        LoadBalancer.builder(s).ticker(ticker).maxEjectionPercent(100).maxConcurrent(1).build();
    s.get(0).setHealthy(false);
    s.get(1).setHealthy(false);
    s.get(2).setHealthy(false);
    assertThat(refusedBy(lb).refusal()).isEqualTo(Refusal.UNHEALTHY);

    s.get(2).setHealthy(true);
    Lease held = lb.acquire(path("/held")); // on server 2, the only healthy one
    lb.drain(s.get(2));
    assertThat(refusedBy(lb).refusal()).isEqualTo(Refusal.DRAINING); // draining beats unhealthy

    s.get(1).setHealthy(true);
    lb.eject(s.get(1), Duration.ofMinutes(1));
    assertThat(refusedBy(lb).refusal()).isEqualTo(Refusal.EJECTED); // ejected beats draining

    s.get(0).setHealthy(true);
    Lease second = lb.acquire(path("/second")); // on server 0, now full
    assertThat(refusedBy(lb).refusal()).isEqualTo(Refusal.AT_CAPACITY); // beats ejected

    lb.setMaxConcurrent(s.get(0), 2);
    lb.setRateLimit(s.get(0), 1.0, 1);
    lb.acquire(path("/third")).close(); // takes server 0's token
    NoServerAvailableException e = refusedBy(lb);
    assertThat(e.refusal()).isEqualTo(Refusal.RATE_LIMITED); // beats them all
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
    second.close();
    held.close();
  }

  @Test
  void executeAndExecuteAsyncRefuseWithTheReasonToo() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).build();
    s.get(0).setHealthy(false);
    NoServerAvailableException sync =
        catchThrowableOfType(
            () -> lb.execute(path("/x"), server -> "never"), NoServerAvailableException.class);
    assertThat(sync.refusal()).isEqualTo(Refusal.UNHEALTHY);
    assertThat(lb.executeAsync(path("/x"), server -> null))
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            NoServerAvailableException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.UNHEALTHY));
  }

  @Test
  void aRefusalBuiltByHandHasNoHintUnlessRateLimited() {
    assertThat(new NoServerAvailableException("x").refusal()).isEqualTo(Refusal.NO_SERVERS);
    assertThat(
            new NoServerAvailableException("x", Refusal.AT_CAPACITY, Duration.ofSeconds(1))
                .retryAfter())
        .isEmpty();
    assertThat(
            new NoServerAvailableException("x", Refusal.RATE_LIMITED, Duration.ofSeconds(1))
                .retryAfter())
        .contains(Duration.ofSeconds(1));
  }
}
