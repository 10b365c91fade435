package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Race: {@code setServers} replaces a server with an equal one (same id, another instance: service
 * discovery hands out new objects) while the old instance's health or weight changes. The change
 * was told to the tables that held the old instance when it started; by the time a table hears of
 * it, the table may hold the new instance instead. The change must then be ignored by that table
 * (it is not its server any more), and must neither throw into the caller of {@code setHealthy} nor
 * keep the tables told after it from hearing of it. A watcher registered ahead of the picker holds
 * the change until the replacement is done, so the race is lost every time.
 */
class ReplacedInstanceRaceTest {

  /** Holds the first thread that tells it of a change until released. */
  private static final class Gate implements ServerWatcher {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void serverChanged(Server server) {
      entered.countDown();
      try {
        release.await(BOUND.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void aHealthFlipOfAReplacedInstanceLeavesTheReplacementOnTheRing() throws Exception {
    Server old = new Server("10.160.0.1", 8080, 1);
    Server other = new Server("10.160.0.2", 8080, 1);
    Gate gate = new Gate();
    old.watch(gate); // told first
    ServerPicker hash = ServerPicker.consistentHash(List.of(old, other));
    LoadBalancer lb = new LoadBalancer(List.of(old, other)); // told after the picker

    AtomicReference<@Nullable Throwable> thrown = new AtomicReference<>();
    Thread flip =
        new Thread(
            () -> {
              try {
                old.setHealthy(false);
              } catch (Throwable e) {
                thrown.set(e);
              }
            },
            "flip");
    flip.setDaemon(true);
    flip.start();
    assertThat(gate.entered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    Server replacement = new Server("10.160.0.1", 8080, 2); // same id, new weight
    hash.setServers(List.of(replacement, other));
    gate.release.countDown();
    flip.join(BOUND.toMillis());

    assertThat(flip.isAlive()).isFalse();
    assertThat(thrown.get()).isNull();
    assertThat(lb.tableForTest().candidates).containsExactly(other);
    assertThat(lb.route(Request.empty())).contains(other);
    assertThat(hash.servers()).containsExactly(replacement, other);
    boolean replacementOwnsAKey = false;
    for (int k = 0; k < 200; k++) {
      Server s = hash.next(Request.builder().key("key-" + k).build());
      assertThat(s).as("key-%s", k).isNotNull().isNotSameAs(old);
      replacementOwnsAKey |= s == replacement;
    }
    assertThat(replacementOwnsAKey).as("the healthy replacement takes its keys").isTrue();
  }

  @Test
  void aWeightChangeOfAReplacedInstanceLeavesTheReplacementOnTheRing() throws Exception {
    Server old = new Server("10.161.0.1", 8080, 1);
    Server other = new Server("10.161.0.2", 8080, 1);
    Gate gate = new Gate();
    old.watch(gate);
    ServerPicker hash = ServerPicker.consistentHash(List.of(old, other));
    LoadBalancer lb =
        LoadBalancer.builder(List.of(old, other)).algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build();

    AtomicReference<@Nullable Throwable> thrown = new AtomicReference<>();
    Thread reweigh =
        new Thread(
            () -> {
              try {
                old.setWeight(5);
              } catch (Throwable e) {
                thrown.set(e);
              }
            },
            "reweigh");
    reweigh.setDaemon(true);
    reweigh.start();
    assertThat(gate.entered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    Server replacement = new Server("10.161.0.1", 8080, 2);
    hash.setServers(List.of(replacement, other));
    gate.release.countDown();
    reweigh.join(BOUND.toMillis());

    assertThat(reweigh.isAlive()).isFalse();
    assertThat(thrown.get()).isNull();
    assertThat(lb.tableForTest().weights).containsExactly(5, 1);
    for (int k = 0; k < 200; k++) {
      assertThat(hash.next(Request.builder().key("key-" + k).build()))
          .as("key-%s", k)
          .isNotSameAs(old);
    }
    // The picker holds the replacement, whose health is the one that counts.
    replacement.setHealthy(false);
    for (int k = 0; k < 200; k++) {
      assertThat(hash.next(Request.builder().key("key-" + k).build()))
          .as("key-%s", k)
          .isSameAs(other);
    }
  }
}
