package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Race: two threads make the same change to one server at once. The package promises that a pick
 * starting after {@code setHealthy(false)} (or {@code setWeight}) returned sees the change; that
 * must hold for the second caller too, whose call changes nothing because the first one already
 * did, while the first is still telling the tables. A watcher registered ahead of the picker holds
 * the first caller inside its notifications, so the race is lost every time.
 */
class ConcurrentServerChangeTest {

  record Picker(String name, Function<List<Server>, ServerPicker> create) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Picker> pickers() {
    return Stream.of(
        new Picker("round robin", RoundRobin::new),
        new Picker("weighted round robin", WeightedRoundRobin::new),
        new Picker("least connections", LeastConnections::new),
        new Picker("peak ewma", PeakEwma::new),
        new Picker("least loaded", ServerPicker::leastLoaded),
        new Picker(
            "power of two", s -> ServerPicker.powerOfChoices(s, 2, RandomSources.seeded(1))));
  }

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

  @ParameterizedTest(name = "{0}")
  @MethodSource("pickers")
  void aSecondSetHealthyFalseReturnsOnlyOnceThePickerNoLongerOffersTheServer(Picker kind)
      throws Exception {
    List<Server> servers = servers(3);
    Server sick = servers.get(0);
    Gate gate = new Gate();
    sick.watch(gate); // told before the picker
    ServerPicker picker = kind.create().apply(servers);
    Thread first = start("first", () -> sick.setHealthy(false));
    assertThat(gate.entered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    List<Server> pickedAfterSecond = new ArrayList<>();
    Thread second =
        start(
            "second",
            () -> {
              sick.setHealthy(false);
              for (int i = 0; i < 12; i++) {
                pickedAfterSecond.add(picker.next());
              }
            });
    awaitReturnedOrBlocked(second);
    gate.release.countDown();
    join(first);
    join(second);
    assertThat(pickedAfterSecond).hasSize(12).doesNotContain(sick);
  }

  @Test
  void aSecondSetHealthyFalseReturnsOnlyOnceTheBalancersVerdictCountsIt() throws Exception {
    // The balancer's admission reads health itself; its table must still be current once the
    // second call returns, or the panic verdict and the candidates lag behind.
    List<Server> servers = servers(2);
    Server sick = servers.get(0);
    Gate gate = new Gate();
    sick.watch(gate);
    LoadBalancer lb = LoadBalancer.builder(servers).panicThreshold(1.0).build();
    Thread first = start("first", () -> sick.setHealthy(false));
    assertThat(gate.entered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    boolean[] panicking = new boolean[1];
    Thread second =
        start(
            "second",
            () -> {
              sick.setHealthy(false);
              panicking[0] = lb.isPanicking();
            });
    awaitReturnedOrBlocked(second);
    gate.release.countDown();
    join(first);
    join(second);
    assertThat(panicking[0]).as("1 of 2 healthy is under the threshold 1.0").isTrue();
  }

  @Test
  void aSecondSetWeightReturnsOnlyOnceTheScheduleHasTheWeight() throws Exception {
    List<Server> servers = servers(2);
    Server heavy = servers.get(0);
    Gate gate = new Gate();
    heavy.watch(gate);
    WeightedRoundRobin picker = new WeightedRoundRobin(servers);
    Thread first = start("first", () -> heavy.setWeight(3));
    assertThat(gate.entered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    List<Server> period = new ArrayList<>();
    Thread second =
        start(
            "second",
            () -> {
              heavy.setWeight(3);
              for (int i = 0; i < 4; i++) {
                period.add(picker.next());
              }
            });
    awaitReturnedOrBlocked(second);
    gate.release.countDown();
    join(first);
    join(second);
    assertThat(period).filteredOn(s -> s == heavy).hasSize(3);
  }

  private static List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(new Server("10.66.0." + (i + 1), 8080));
    }
    return servers;
  }

  /** Waits (bounded) until {@code t} has finished or is blocked waiting for the first caller. */
  private static void awaitReturnedOrBlocked(Thread t) {
    long bound = System.nanoTime() + BOUND.toNanos();
    while (t.isAlive()
        && t.getState() != Thread.State.BLOCKED
        && t.getState() != Thread.State.WAITING) {
      assertThat(System.nanoTime() - bound)
          .as("second caller neither returned nor blocked")
          .isNegative();
      Thread.onSpinWait();
    }
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void join(Thread t) throws InterruptedException {
    t.join(BOUND.toMillis());
    assertThat(t.isAlive()).as(t.getName() + " still running").isFalse();
  }
}
