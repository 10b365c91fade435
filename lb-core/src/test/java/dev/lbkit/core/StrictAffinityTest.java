package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.keyed;
import static dev.lbkit.core.FacadeFixtures.routed;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A strict {@link SessionAffinity}: a pin is never moved, and a request whose pinned server is not
 * admissible is refused with that server's reason.
 */
class StrictAffinityTest {

  private static final Duration TTL = Duration.ofHours(1);

  @Test
  void strictIsChosenByTheFactoryOrTheBuilderFlag() {
    assertThat(SessionAffinity.strict(SessionAffinity.Method.KEY, TTL).isStrict()).isTrue();
    assertThat(
            SessionAffinity.builder(SessionAffinity.Method.KEY, TTL)
                .strict(true)
                .build()
                .isStrict())
        .isTrue();
    assertThat(new SessionAffinity(SessionAffinity.Method.KEY, TTL).isStrict()).isFalse();
    assertThat(SessionAffinity.strict(SessionAffinity.Method.KEY, TTL).toString())
        .contains("strict");
    assertThatThrownBy(() -> SessionAffinity.strict(null, TTL))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("method");
    assertThatThrownBy(() -> SessionAffinity.strict(SessionAffinity.Method.KEY, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl: PT0S");
  }

  @Test
  void aPinToADownServerIsRefusedAndKeptNotMoved() {
    List<Server> s = servers(3);
    SessionAffinity pins = SessionAffinity.strict(SessionAffinity.Method.KEY, TTL);
    LoadBalancer lb = LoadBalancer.builder(s).affinity(pins).build();
    Server runner = routed(lb, keyed("job-1"));
    runner.setHealthy(false);

    assertThat(lb.route(keyed("job-1"))).isEmpty();
    NoServerAvailableException e =
        catchThrowableOfType(() -> lb.acquire(keyed("job-1")), NoServerAvailableException.class);
    assertThat(e.refusal()).isEqualTo(Refusal.UNHEALTHY);
    assertThat(e).hasMessageContaining(runner.id());
    assertThat(pins.getServer(keyed("job-1"))).isEmpty(); // down: reported empty
    assertThat(routed(lb, keyed("job-2"))).isNotEqualTo(runner); // new keys route as usual

    runner.setHealthy(true);
    assertThat(routed(lb, keyed("job-1"))).isEqualTo(runner); // the pin stayed
  }

  @Test
  void aPinToAServerThatLeftIsRefusedAsNoServers() {
    List<Server> s = servers(3);
    SessionAffinity pins = SessionAffinity.strict(SessionAffinity.Method.KEY, TTL);
    LoadBalancer lb = LoadBalancer.builder(s).affinity(pins).build();
    Server runner = routed(lb, keyed("job-1"));
    lb.removeServer(runner);
    NoServerAvailableException e =
        catchThrowableOfType(
            () -> lb.execute(keyed("job-1"), server -> "forwarded"),
            NoServerAvailableException.class);
    assertThat(e.refusal()).isEqualTo(Refusal.NO_SERVERS);
    assertThat(e).hasMessageContaining(runner.id());
    assertThat(lb.tryAcquire(keyed("job-1"))).isEmpty();
  }

  @Test
  void aFullPinnedServerIsRefusedNotBypassed() {
    List<Server> s = servers(2);
    SessionAffinity pins = SessionAffinity.strict(SessionAffinity.Method.KEY, TTL);
    LoadBalancer lb = LoadBalancer.builder(s).affinity(pins).maxConcurrent(1).build();
    try (Lease held = lb.acquire(keyed("job-1"))) {
      NoServerAvailableException e =
          catchThrowableOfType(() -> lb.acquire(keyed("job-1")), NoServerAvailableException.class);
      assertThat(e.refusal()).isEqualTo(Refusal.AT_CAPACITY);
      assertThat(lb.acquire(keyed("job-2")).server()).isNotEqualTo(held.server());
    }
  }

  @Test
  void aPinTheCallerMadeIsFollowed() {
    List<Server> s = servers(3);
    SessionAffinity pins = SessionAffinity.strict(SessionAffinity.Method.KEY, TTL);
    LoadBalancer lb = LoadBalancer.builder(s).affinity(pins).build();
    pins.pin(keyed("job-9"), s.get(2));
    for (int i = 0; i < 5; i++) {
      assertThat(routed(lb, keyed("job-9"))).isEqualTo(s.get(2));
    }
  }

  @Test
  void aLenientAffinityStillRepinsAsBefore() {
    List<Server> s = servers(3);
    SessionAffinity pins = new SessionAffinity(SessionAffinity.Method.KEY, TTL);
    LoadBalancer lb = LoadBalancer.builder(s).affinity(pins).build();
    Server first = routed(lb, keyed("job-1"));
    first.setHealthy(false);
    Server moved = routed(lb, keyed("job-1"));
    assertThat(moved).isNotEqualTo(first);
    first.setHealthy(true);
    assertThat(routed(lb, keyed("job-1"))).isEqualTo(moved);
  }
}
