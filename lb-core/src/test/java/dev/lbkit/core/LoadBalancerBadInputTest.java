package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every public entry point of the facade rejects bad arguments at once, with a message that names
 * the argument and the value, and a rejected call changes nothing.
 */
class LoadBalancerBadInputTest {

  private final List<Server> servers = servers(2);
  private final LoadBalancer lb = new LoadBalancer(servers);

  @Test
  void constructorsAndBuilderRejectBadServerLists() {
    assertThatThrownBy(() -> LoadBalancer.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers");
    assertThatThrownBy(() -> new LoadBalancer(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers");
    assertThatThrownBy(() -> new LoadBalancer(servers, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("algorithm");
    List<Server> withNull = new ArrayList<>(servers);
    withNull.add(null);
    assertThatThrownBy(() -> new LoadBalancer(withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers[2]");
    assertThatThrownBy(
            () -> new LoadBalancer(List.of(servers.get(0), new Server("10.1.0.1", 8080, 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.1.0.1:8080 appears twice");
  }

  @Test
  void builderSettersRejectBadValues() {
    LoadBalancer.Builder b = LoadBalancer.builder(servers);
    assertThatThrownBy(() -> b.rateLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perServerPerSecond: 0 (expected: >= 1)");
    assertThatThrownBy(() -> b.rateLimit(-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perServerPerSecond: -5 (expected: >= 1)");
    assertThatThrownBy(() -> b.rateLimit(0.0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perSecond: 0.0 (expected: > 0 and <= 1.0E9)");
    assertThatThrownBy(() -> b.rateLimit(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perSecond: NaN (expected: > 0 and <= 1.0E9)");
    assertThatThrownBy(() -> b.rateLimit(Double.POSITIVE_INFINITY, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("perSecond: Infinity");
    assertThatThrownBy(() -> b.rateLimit(10.0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst: 0 (expected: >= 1)");
    assertThatThrownBy(() -> b.maxConcurrent(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrent: 0 (expected: >= 1)");
    assertThatThrownBy(() -> b.maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts: 0 (expected: >= 1)");
    assertThatThrownBy(() -> b.choices(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("choices: 1 (expected: >= 2)");
    assertThatThrownBy(() -> b.algorithm(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("algorithm");
    assertThatThrownBy(() -> b.affinity(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("affinity");
    assertThatThrownBy(() -> b.retryBudget(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retryBudget");
    assertThatThrownBy(() -> b.random(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("random");
    assertThatThrownBy(() -> b.ticker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(() -> b.listener(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
    // The builder is still usable, with its defaults.
    LoadBalancer built = b.build();
    assertThat(built.algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
    for (int i = 0; i < 50; i++) {
      assertThat(built.route(path("/" + i))).isPresent();
    }
  }

  /**
   * "Every public constructor and method rejects bad arguments at once" (API.md): a rate above what
   * a {@link TokenBucket} can hold (1e9 a second) is rejected by the setter, not later.
   */
  @Test
  void aRateTooHighForATokenBucketIsRejectedByTheSetter() {
    LoadBalancer.Builder b = LoadBalancer.builder(servers);
    assertThatThrownBy(() -> b.rateLimit(2e9, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("perSecond: 2.0E9");
  }

  @Test
  void routingMethodsRejectNulls() {
    assertThatThrownBy(() -> lb.route(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> lb.acquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> lb.tryAcquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> lb.acquire(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> lb.acquire(path("/"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> lb.acquire(path("/"), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> lb.execute(null, Server::id))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> lb.execute(path("/"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call");
    assertThatThrownBy(() -> lb.addServer(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> lb.removeServer(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> lb.drain(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> lb.addListener(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
    assertThatThrownBy(() -> lb.affinityCookieValue(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");

    // Nothing was counted, held or changed.
    assertThat(lb.stats().totalRequests()).isZero();
    assertThat(lb.stats().rejected()).isZero();
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    assertThat(lb.servers()).containsExactlyElementsOf(servers);
  }

  @Test
  void leasesRejectNullFailures() {
    try (Lease lease = lb.acquire(path("/"))) {
      assertThatThrownBy(() -> lease.fail(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("cause");
      assertThat(lease.failure()).isNull();
    }
  }

  @Test
  void requestBuilderRejectsBlankAndNullValues() {
    assertThatThrownBy(() -> Request.builder().clientIp(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clientIp: ' ' (expected: not blank)");
    assertThatThrownBy(() -> Request.builder().clientIp(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clientIp");
    assertThatThrownBy(() -> Request.builder().method(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("method: '' (expected: not blank)");
    assertThatThrownBy(() -> Request.builder().path(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("path");
    assertThatThrownBy(() -> Request.builder().key(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> Request.builder().header(" ", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: ' ' (expected: not blank)");
    assertThatThrownBy(() -> Request.builder().header("h", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThatThrownBy(() -> Request.builder().cookie("\t", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: '\t' (expected: not blank)");
    assertThatThrownBy(() -> Request.builder().cookie("c", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
  }

  @Test
  void serverConstructorRejectsBadValues() {
    assertThatThrownBy(() -> new Server(null, 80))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("host");
    assertThatThrownBy(() -> new Server(" ", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host: ' ' (expected: not blank)");
    assertThatThrownBy(() -> new Server("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 0 (expected: 1..65535)");
    assertThatThrownBy(() -> new Server("a", 65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 65536 (expected: 1..65535)");
    assertThatThrownBy(() -> new Server("a", 80, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new Server("a", 80).reportLoad(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("load: -1 (expected: >= 0)");
  }

  @Test
  void pickerFactoriesRejectBadValues() {
    assertThatThrownBy(() -> ServerPicker.powerOfChoices(servers, 0, RandomSources.seeded(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("choices: 0 (expected: >= 1)");
    assertThatThrownBy(() -> ServerPicker.random(servers, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("random");
    assertThatThrownBy(() -> ServerPicker.consistentHash(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers");
    assertThatThrownBy(() -> ServerPicker.leastLoaded(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("servers");
    assertThatThrownBy(() -> ServerPicker.consistentHash(servers).next((Request) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
  }
}
