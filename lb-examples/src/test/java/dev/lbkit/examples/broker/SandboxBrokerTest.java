package dev.lbkit.examples.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Server;
import dev.lbkit.examples.http.FakeClock;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.health.ProbeResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SandboxBrokerTest {

  static List<Server> sandboxes(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new Server(String.format("sbx-%04d", i), 443))
        .collect(Collectors.toList());
  }

  private static SandboxBroker.Builder onFakeTime(List<Server> pool, FakeClock time) {
    return SandboxBroker.builder(pool).ticker(time).scheduler(time);
  }

  private static double count(SandboxBroker broker, String name, String... tags) {
    return broker.meterRegistry().get(name).tags(tags).counter().count();
  }

  // ---------------------------------------------------------------- exclusivity

  @Test
  void aThousandConcurrentAllocationsOverAThousandSandboxesHandEachOutExactlyOnce()
      throws Exception {
    List<Server> pool = sandboxes(1_000);
    try (SandboxBroker broker = onFakeTime(pool, new FakeClock()).build()) {
      List<Optional<Allocation>> results =
          Concurrently.run(1_000, i -> broker.allocate("track-" + i, "key-" + i));

      assertThat(results).allMatch(Optional::isPresent);
      List<String> ids = results.stream().map(r -> r.orElseThrow().sandboxId()).toList();
      assertThat(new HashSet<>(ids))
          .as("every sandbox handed out once: no id twice, none left over")
          .hasSize(1_000)
          .isEqualTo(pool.stream().map(Server::id).collect(Collectors.toSet()));
      assertThat(pool).allMatch(s -> s.activeConnections() == 1, "one lease per sandbox");
      for (int i = 0; i < results.size(); i++) {
        Allocation a = results.get(i).orElseThrow();
        assertThat(a.trackId()).isEqualTo("track-" + i);
        assertThat(a.replayed()).isFalse();
        assertThat(broker.sandbox(a.sandboxId()).orElseThrow().trackId()).isEqualTo("track-" + i);
      }
      assertThat(broker.allocated()).isEqualTo(1_000);
      assertThat(broker.available()).isZero();
      assertThat(broker.allocate("track-late", "k")).isEmpty();
      assertThat(count(broker, "broker.allocate", "outcome", "success")).isEqualTo(1_000);
      assertThat(count(broker, "broker.allocate", "outcome", "no_sandboxes")).isEqualTo(1);
    }
  }

  /**
   * The race: an allocation handing out a sandbox whose release is still under way, or two
   * allocations taking the same free sandbox. Each thread claims a sandbox in its own ownership
   * table as soon as it is handed out and unclaims it just before releasing it; a claim that finds
   * the sandbox claimed already is a double allocation.
   */
  @Test
  void noSandboxIsHeldTwiceUnderAllocateReleaseChurn() throws Exception {
    List<Server> pool = sandboxes(64);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < pool.size(); i++) {
      index.put(pool.get(i).id(), i);
    }
    AtomicReferenceArray<String> owner = new AtomicReferenceArray<>(pool.size());
    AtomicInteger doubles = new AtomicInteger();
    try (SandboxBroker broker = onFakeTime(pool, new FakeClock()).choices(4).build()) {
      // 16 threads holding up to 6 sandboxes each want 96 of the 64: the pool runs dry often.
      List<int[]> counts =
          Concurrently.run(
              16,
              t -> {
                String track = "track-" + t;
                ArrayDeque<Allocation> held = new ArrayDeque<>();
                int allocated = 0;
                int exhausted = 0;
                for (int op = 0; op < 3_000; op++) {
                  Optional<Allocation> a =
                      held.size() < 6 ? broker.allocate(track, "k" + op) : Optional.empty();
                  if (a.isPresent()) {
                    allocated++;
                    if (!owner.compareAndSet(index.get(a.get().sandboxId()), null, track)) {
                      doubles.incrementAndGet();
                    }
                    held.add(a.get());
                  } else {
                    exhausted += held.size() < 6 ? 1 : 0;
                    Allocation oldest = held.poll();
                    if (oldest != null) {
                      owner.set(index.get(oldest.sandboxId()), null);
                      if (broker.markForDeletion(oldest.sandboxId(), track)
                          != ReleaseOutcome.RELEASED) {
                        doubles.incrementAndGet(); // someone else ended our allocation
                      }
                    }
                  }
                }
                return new int[] {allocated, exhausted, held.size()};
              });

      assertThat(doubles).hasValue(0);
      int stillHeld = counts.stream().mapToInt(c -> c[2]).sum();
      assertThat(broker.allocated()).isEqualTo(stillHeld);
      assertThat(pool.stream().mapToInt(Server::activeConnections).sum()).isEqualTo(stillHeld);
      assertThat(counts.stream().mapToInt(c -> c[1]).sum())
          .as("the pool ran dry at times, so the exhausted path raced too")
          .isPositive();
      assertThat(counts.stream().mapToInt(c -> c[0]).sum()).isGreaterThan(10_000);
    }
  }

  @Test
  void unhealthySandboxesAreNeverHandedOut() {
    List<Server> pool = sandboxes(20);
    for (int i = 0; i < 20; i += 2) {
      pool.get(i).setHealthy(false);
    }
    try (SandboxBroker broker = onFakeTime(pool, new FakeClock()).build()) {
      assertThat(broker.available()).isEqualTo(10);
      Set<String> handedOut = new HashSet<>();
      Optional<Allocation> a;
      while ((a = broker.allocate("track-a", "k" + handedOut.size())).isPresent()) {
        handedOut.add(a.get().sandboxId());
      }
      assertThat(handedOut)
          .isEqualTo(
              pool.stream().filter(Server::isHealthy).map(Server::id).collect(Collectors.toSet()));
    }
  }

  @Test
  void candidatesAreDrawnAtRandomNotInPoolOrder() {
    List<Server> pool = sandboxes(1_000);
    try (SandboxBroker broker =
        onFakeTime(pool, new FakeClock()).random(RandomSources.seeded(42)).build()) {
      List<Integer> picked = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String id = broker.allocate("track-a", "k" + i).orElseThrow().sandboxId();
        picked.add(Integer.parseInt(id.substring("sbx-".length(), "sbx-".length() + 4)));
      }
      // In pool order (what a scan from the start would give) they would be 0..99, decile 0.
      Map<Integer, Long> byDecile =
          picked.stream()
              .collect(Collectors.groupingBy(i -> i / 100, TreeMap::new, Collectors.counting()));
      assertThat(byDecile).as("100 draws over 10 deciles of the pool").hasSize(10);
      assertThat(byDecile.values()).allMatch(n -> n < 25);
    }
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void concurrentRetriesWithOneKeyAllGetTheSameSandbox() throws Exception {
    List<Server> pool = sandboxes(1_000);
    try (SandboxBroker broker = onFakeTime(pool, new FakeClock()).build()) {
      // 100 tracks, each sending its allocation 10 times at once: 1,000 calls in flight.
      List<Allocation> results =
          Concurrently.run(
              1_000, i -> broker.allocate("track-" + i % 100, "lab-" + i % 100).orElseThrow());

      Map<String, Set<String>> sandboxesByTrack = new HashMap<>();
      Map<String, Integer> newOnes = new HashMap<>();
      for (Allocation a : results) {
        sandboxesByTrack.computeIfAbsent(a.trackId(), t -> new HashSet<>()).add(a.sandboxId());
        newOnes.merge(a.trackId(), a.replayed() ? 0 : 1, Integer::sum);
      }
      assertThat(sandboxesByTrack).hasSize(100).allSatisfy((t, ids) -> assertThat(ids).hasSize(1));
      assertThat(newOnes.values()).as("one new allocation per key, 9 replays").containsOnly(1);
      assertThat(sandboxesByTrack.values().stream().flatMap(Set::stream).distinct()).hasSize(100);
      assertThat(broker.allocated()).isEqualTo(100);
      assertThat(count(broker, "broker.allocate", "outcome", "success")).isEqualTo(100);
      assertThat(count(broker, "broker.allocate", "outcome", "idempotent")).isEqualTo(900);
    }
  }

  @Test
  void aRetryReturnsTheSameAllocationUntilItIsReleased() {
    try (SandboxBroker broker = onFakeTime(sandboxes(10), new FakeClock()).build()) {
      Allocation first = broker.allocate("track-a", "lab-1").orElseThrow();
      Allocation retry = broker.allocate("track-a", "lab-1").orElseThrow();
      assertThat(retry.sandboxId()).isEqualTo(first.sandboxId());
      assertThat(first.replayed()).isFalse();
      assertThat(retry.replayed()).isTrue();
      assertThat(broker.allocated()).isEqualTo(1);

      Allocation otherTrack = broker.allocate("track-b", "lab-1").orElseThrow();
      assertThat(otherTrack.sandboxId())
          .as("keys are scoped by track")
          .isNotEqualTo(first.sandboxId());
      assertThat(otherTrack.replayed()).isFalse();

      assertThat(broker.markForDeletion(first.sandboxId(), "track-a"))
          .isEqualTo(ReleaseOutcome.RELEASED);
      Allocation after = broker.allocate("track-a", "lab-1").orElseThrow();
      assertThat(after.replayed()).as("a released allocation's key allocates anew").isFalse();
    }
  }

  // ---------------------------------------------------------------- release

  @Test
  void markForDeletionReleasesOnlyForTheHolderOrTheAdmin() {
    List<Server> pool = sandboxes(3);
    try (SandboxBroker broker = onFakeTime(pool, new FakeClock()).build()) {
      String a = broker.allocate("track-a", "k").orElseThrow().sandboxId();

      assertThat(broker.markForDeletion(a, "track-b")).isEqualTo(ReleaseOutcome.NOT_YOURS);
      assertThat(broker.sandbox(a).orElseThrow().trackId()).isEqualTo("track-a");
      assertThat(broker.markForDeletion(a, "track-a")).isEqualTo(ReleaseOutcome.RELEASED);
      assertThat(broker.markForDeletion(a, "track-a")).isEqualTo(ReleaseOutcome.NOT_ALLOCATED);
      assertThat(broker.markForDeletion("sbx-9999:443", "track-a"))
          .isEqualTo(ReleaseOutcome.UNKNOWN_SANDBOX);
      assertThat(pool).allMatch(s -> s.activeConnections() == 0);

      String b = broker.allocate("track-b", "k").orElseThrow().sandboxId();
      assertThat(broker.markForDeletion(b))
          .as("the admin's release")
          .isEqualTo(ReleaseOutcome.RELEASED);
      assertThat(broker.available()).isEqualTo(3);
      assertThat(count(broker, "broker.deletion.marked")).isEqualTo(2);
    }
  }

  @Test
  void sandboxesListsEveryOneWithItsHolder() {
    FakeClock time = new FakeClock();
    List<Server> pool = sandboxes(3);
    pool.get(2).setHealthy(false);
    try (SandboxBroker broker = onFakeTime(pool, time).build()) {
      String id = broker.allocate("track-a", "k").orElseThrow().sandboxId();
      time.advance(Duration.ofSeconds(90));
      List<SandboxView> views = broker.sandboxes();
      assertThat(views)
          .extracting(SandboxView::sandboxId)
          .containsExactly("sbx-0000:443", "sbx-0001:443", "sbx-0002:443");
      SandboxView held = views.stream().filter(v -> v.sandboxId().equals(id)).findFirst().get();
      assertThat(held.trackId()).isEqualTo("track-a");
      assertThat(held.heldFor()).isEqualTo(Duration.ofSeconds(90));
      assertThat(views.get(2).healthy()).isFalse();
      assertThat(views.get(2).allocated()).isFalse();
      assertThat(broker.isReady()).isTrue();
    }
  }

  @Test
  void readinessAndAllocationFollowTheHealthCheckerOfTheSandboxes() {
    FakeClock time = new FakeClock();
    List<Server> pool = sandboxes(2);
    Set<Server> answering = java.util.concurrent.ConcurrentHashMap.newKeySet();
    answering.addAll(pool);
    try (SandboxBroker broker = onFakeTime(pool, time).build();
        HealthChecker checker =
            HealthChecker.builder()
                .interval(Duration.ofSeconds(5))
                .timeout(Duration.ofSeconds(1))
                .jitter(0)
                .unhealthyThreshold(2)
                .healthyThreshold(2)
                .probe(
                    (server, timeout) ->
                        answering.contains(server)
                            ? ProbeResult.passed()
                            : ProbeResult.failed("no answer"))
                .scheduler(time)
                .probeExecutor(Runnable::run)
                .build()) {
      checker.watch(pool);
      checker.start();
      answering.clear(); // both sandboxes stop answering their probes

      time.advance(Duration.ZERO); // the first probes (no jitter: at once) fail: not yet
      assertThat(broker.isReady()).isTrue();
      time.advance(Duration.ofSeconds(5)); // the second ones fail too: both unhealthy
      assertThat(broker.isReady()).isFalse();
      assertThat(broker.allocate("track-a", "k")).isEmpty();

      answering.add(pool.get(1));
      time.advance(Duration.ofSeconds(5)); // one passed probe: not yet
      assertThat(broker.isReady()).isFalse();
      time.advance(Duration.ofSeconds(5)); // two
      assertThat(broker.isReady()).isTrue();
      assertThat(broker.allocate("track-a", "k").orElseThrow().sandboxId())
          .isEqualTo(pool.get(1).id());
    }
  }

  // ---------------------------------------------------------------- expiry

  @Test
  void allocationsExpireAtTheFirstSweepAfterTheirTtl() {
    FakeClock time = new FakeClock();
    try (SandboxBroker broker =
        onFakeTime(sandboxes(10), time)
            .ttl(Duration.ofMinutes(30))
            .sweepInterval(Duration.ofMinutes(1))
            .build()) {
      Map<String, String> names = new HashMap<>(); // sandbox id -> a, b, c
      names.put(broker.allocate("track-a", "k").orElseThrow().sandboxId(), "a"); // at 0:00
      time.advance(Duration.ofMinutes(10));
      names.put(broker.allocate("track-b", "k").orElseThrow().sandboxId(), "b"); // at 10:00
      time.advance(Duration.ofSeconds(30));
      names.put(broker.allocate("track-c", "k").orElseThrow().sandboxId(), "c"); // at 10:30
      assertThat(broker.allocate("track-c", "k").orElseThrow().expiresIn())
          .isEqualTo(Duration.ofMinutes(30));

      // Step through an hour in 30 s steps; write down when each allocation disappears.
      List<String> trace = new ArrayList<>();
      Set<String> before = new HashSet<>(names.keySet());
      for (int step = 1; step <= 100; step++) {
        time.advance(Duration.ofSeconds(30));
        Set<String> now = new HashSet<>();
        for (SandboxView v : broker.sandboxes()) {
          if (v.allocated()) {
            now.add(v.sandboxId());
          }
        }
        for (String gone : before) {
          if (!now.contains(gone)) {
            trace.add(names.get(gone) + " expired at " + minutes(630 + 30 * step));
          }
        }
        before = now;
      }
      // Sweeps run on whole minutes; c's age reaches 30 min at 40:30, so the 41:00 sweep takes it.
      assertThat(trace)
          .containsExactly("a expired at 30:00", "b expired at 40:00", "c expired at 41:00");
      assertThat(count(broker, "broker.expiry.marked")).isEqualTo(3);
      assertThat(broker.available()).isEqualTo(10);

      Allocation again = broker.allocate("track-a", "k").orElseThrow();
      assertThat(again.replayed()).as("an expired allocation's key allocates anew").isFalse();
    }
  }

  private static String minutes(int seconds) {
    return String.format("%d:%02d", seconds / 60, seconds % 60);
  }

  @Test
  void closeCancelsTheExpiryJobAndReleasesEverything() {
    FakeClock time = new FakeClock();
    List<Server> pool = sandboxes(5);
    SandboxBroker broker = onFakeTime(pool, time).build();
    assertThat(broker.allocate("track-a", "k")).isPresent();
    assertThat(time.pending()).as("the next sweep").isEqualTo(1);

    broker.close();
    broker.close(); // idempotent

    assertThat(time.pending()).isZero();
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);
    assertThat(broker.isReady()).isFalse();
    assertThatThrownBy(() -> broker.allocate("track-a", "k2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("broker is closed");
    assertThatThrownBy(() -> broker.markForDeletion("sbx-0000:443"))
        .isInstanceOf(IllegalStateException.class);
    time.advance(Duration.ofHours(10));
    assertThat(time.pending()).as("nothing scheduled itself again").isZero();
  }

  @Test
  void closeLeavesNoThreadOfItsOwn() {
    SandboxBroker broker =
        SandboxBroker.builder(sandboxes(3)).sweepInterval(Duration.ofMillis(1)).build();
    assertThat(expiryThreads()).as("the broker's own scheduler thread").isNotEmpty();
    assertThat(broker.allocate("track-a", "k")).isPresent();

    broker.close();

    assertThat(expiryThreads()).isEmpty();
  }

  private static List<Thread> expiryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("lbkit-broker-expiry") && t.isAlive())
        .toList();
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void badArgumentsFailWithTheirNameAndValue() {
    List<Server> pool = sandboxes(2);
    assertThatThrownBy(() -> SandboxBroker.builder(pool).ttl(Duration.ZERO))
        .hasMessage("ttl: PT0S (expected: > 0)");
    assertThatThrownBy(() -> SandboxBroker.builder(pool).sweepInterval(Duration.ofSeconds(-1)))
        .hasMessage("sweepInterval: PT-1S (expected: > 0)");
    assertThatThrownBy(() -> SandboxBroker.builder(pool).choices(1))
        .hasMessage("choices: 1 (expected: >= 2)");
    assertThatThrownBy(() -> SandboxBroker.builder(List.of()))
        .hasMessage("sandboxes: [] (expected: at least one)");
    assertThatThrownBy(() -> SandboxBroker.builder(java.util.Arrays.asList(pool.get(0), null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sandboxes[1]");
    assertThatThrownBy(() -> SandboxBroker.builder(List.of(pool.get(0), pool.get(0))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sbx-0000:443 appears twice");
    try (SandboxBroker broker = onFakeTime(pool, new FakeClock()).build()) {
      assertThatThrownBy(() -> broker.allocate(null, "k"))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("trackId");
      assertThatThrownBy(() -> broker.allocate("track a", "k"))
          .hasMessage("trackId: 'track a' (expected: 1 to 64 of [A-Za-z0-9._-])");
      assertThatThrownBy(() -> broker.allocate("track-a", ""))
          .hasMessage(
              "idempotencyKey: '' (expected: 1 to 128 printable ASCII characters, no space)");
      assertThatThrownBy(() -> broker.allocate("track-a", "k".repeat(200)))
          .hasMessageContaining("(200 characters)");
      assertThat(broker.allocated()).isZero();
    }
  }
}
