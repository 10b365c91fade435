package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.hashing.PlacementType;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Servers hold the tables that watch them weakly: a picker or balancer its owner dropped, without
 * telling anyone, must be collectable while its servers live on (in other pickers, in a registry),
 * and once collected it must no longer be rebuilt by their health and weight changes. Whatever a
 * table registers on its servers (its watcher, least connections' count watchers, a drain's idle
 * hook once the drain is over) must not pin it.
 */
class WeakWatcherTest {

  /** Bounded: a full collection clears weak references on HotSpot; a few tries for safety. */
  private static boolean collected(WeakReference<?> ref) {
    for (int i = 0; i < 40 && ref.get() != null; i++) {
      System.gc();
    }
    return ref.get() == null;
  }

  record Kind(String name, Function<List<Server>, Object> create) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Kind> kinds() {
    return Stream.of(
        new Kind("round robin", RoundRobin::new),
        new Kind("weighted round robin", WeightedRoundRobin::new),
        new Kind("least connections, indexed", LeastConnections::new),
        new Kind("peak ewma", PeakEwma::new),
        new Kind("consistent hash", ServerPicker::consistentHash),
        new Kind("least loaded", ServerPicker::leastLoaded),
        new Kind("balancer, round robin", LoadBalancer::new),
        new Kind(
            "balancer, least connections, indexed",
            s -> balancer(s, b -> b.algorithm(Algorithm.LEAST_CONNECTIONS))),
        new Kind(
            "balancer, maglev, bounded",
            s ->
                balancer(
                    s,
                    b ->
                        b.algorithm(Algorithm.CONSISTENT_HASH)
                            .placement(PlacementType.MAGLEV)
                            .balanceFactor(1.25))),
        new Kind(
            "balancer, sticky, peak ewma",
            s -> balancer(s, b -> b.algorithm(Algorithm.PEAK_EWMA).sticky(true))),
        new Kind("balancer after a drain", WeakWatcherTest::balancerAfterADrain));
  }

  private static LoadBalancer balancer(
      List<Server> servers, Function<LoadBalancer.Builder, LoadBalancer.Builder> setup) {
    LoadBalancer lb = setup.apply(LoadBalancer.builder(servers)).build();
    for (int i = 0; i < 20; i++) {
      lb.acquire(Request.builder().key("k" + i).clientIp("10.0.0." + i).build()).close();
    }
    return lb;
  }

  private static LoadBalancer balancerAfterADrain(List<Server> servers) {
    LoadBalancer lb = new LoadBalancer(servers);
    Lease lease = lb.acquire(Request.empty());
    var drained = lb.drain(lease.server());
    lease.close();
    assertThat(drained).isCompleted();
    return lb;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void aDroppedPickerOrBalancerIsCollectedWhileItsServersLive(Kind kind) {
    List<Server> servers = servers(LeastPolicy.INDEX_FROM + 8);
    WeakReference<Object> ref = new WeakReference<>(kind.create().apply(servers));
    servers.get(0).setHealthy(false); // a change told while it is still reachable, weakly

    assertThat(collected(ref)).as("still reachable from its servers").isTrue();
    servers.forEach(s -> s.setHealthy(!s.isHealthy()));
    servers.get(1).setWeight(3);
  }

  @Test
  void aCollectedMembershipIsNoLongerRebuilt() {
    List<Server> servers = servers(4);
    AtomicInteger rebuilds = new AtomicInteger();
    WeakReference<Membership<Server[]>> ref =
        new WeakReference<>(
            new Membership<>(
                servers,
                healthy -> {
                  rebuilds.incrementAndGet();
                  return healthy;
                }));
    assertThat(rebuilds).hasValue(1);
    servers.get(0).setHealthy(false);
    int before = rebuilds.get();
    assertThat(before).as("rebuilt while reachable").isEqualTo(2);

    assertThat(collected(ref)).isTrue();
    servers.get(0).setHealthy(true);
    servers.get(1).setWeight(5);
    assertThat(rebuilds).hasValue(before);
  }

  @Test
  void aCollectedRosterIsNoLongerRebuilt() {
    List<Server> servers = servers(4);
    AtomicInteger derivations = new AtomicInteger();
    Policy<Server[]> counting =
        new Policy<>() {
          @Override
          Server[] derive(Server[] candidates, Server @Nullable [] previous) {
            derivations.incrementAndGet();
            return candidates;
          }

          @Override
          int propose(Server[] state, Server[] candidates, Request request) {
            return 0;
          }

          @Override
          String name() {
            return "Counting";
          }
        };
    Supplier<Roster> roster =
        () ->
            new Roster(
                servers,
                counting,
                null,
                true,
                s -> new Backend(s, null, Integer.MAX_VALUE, null),
                s -> {},
                0.5,
                Ticker.system());
    WeakReference<Roster> ref = new WeakReference<>(roster.get());
    servers.get(0).setHealthy(false);
    int before = derivations.get();
    assertThat(before).as("built, then rebuilt while reachable").isEqualTo(2);

    assertThat(collected(ref)).isTrue();
    servers.get(0).setHealthy(true);
    servers.get(2).setWeight(4);
    assertThat(derivations).hasValue(before);
  }

  private static List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      servers.add(new Server("10.130." + (i / 250) + "." + (i % 250 + 1), 8080));
    }
    return servers;
  }
}
