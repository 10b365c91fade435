package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadBalancer#setRateLimit} and {@link LoadBalancer#setMaxConcurrent}, balancer-wide and
 * per server, at runtime.
 */
class RuntimeLimitsTest {

  private final FakeTicker ticker = new FakeTicker();

  private static int admitted(LoadBalancer lb, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      Optional<Lease> lease = lb.tryAcquire(path("/x"));
      if (lease.isPresent()) {
        lease.get().close();
        n++;
      }
    }
    return n;
  }

  @Test
  void aRateLimitSetAtRuntimeStartsFullAndAResizeRefillsIt() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).ticker(ticker).build();
    assertThat(admitted(lb, 50)).isEqualTo(50); // unlimited

    lb.setRateLimit(1.0, 3);
    assertThat(admitted(lb, 10)).isEqualTo(3); // a full bucket of 3

    lb.setRateLimit(1.0, 5);
    assertThat(admitted(lb, 10)).isEqualTo(5); // the new bucket is full again
    ticker.advance(Duration.ofSeconds(1));
    assertThat(admitted(lb, 10)).isEqualTo(1);
  }

  @Test
  void aPerServerRateLimitSurvivesBalancerWideChanges() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s).ticker(ticker).rateLimit(1.0, 1).build();
    lb.setRateLimit(s.get(1), 1.0, 4);
    lb.setRateLimit(1.0, 2); // server 0 only
    int onOne = 0;
    int onZero = 0;
    for (int i = 0; i < 20; i++) {
      Optional<Lease> lease = lb.tryAcquire(path("/x"));
      if (lease.isPresent()) {
        if (lease.get().server().equals(s.get(1))) {
          onOne++;
        } else {
          onZero++;
        }
        lease.get().close();
      }
    }
    assertThat(onZero).isEqualTo(2);
    assertThat(onOne).isEqualTo(4);
  }

  @Test
  void aServerJoiningLaterTakesTheBalancerWideValuesOfNow() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s.subList(0, 1)).ticker(ticker).build();
    lb.setMaxConcurrent(1);
    lb.setRateLimit(1.0, 2);
    lb.removeServer(s.get(0));
    lb.addServer(s.get(1));
    Lease one = lb.acquire(path("/1"));
    assertThat(lb.tryAcquire(path("/2"))).isEmpty(); // its cap: 1
    one.close();
    lb.acquire(path("/3")).close(); // its second token
    assertThat(lb.tryAcquire(path("/4"))).isEmpty(); // its bucket: 2
  }

  @Test
  void aLowerCapRevokesNoLeaseAndStopsNewOnesUntilTheServerIsUnderIt() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).build();
    List<Lease> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(lb.acquire(path("/" + i)));
    }
    lb.setMaxConcurrent(1);
    assertThat(open).noneMatch(Lease::isClosed);
    assertThat(s.get(0).activeConnections()).isEqualTo(3);
    assertThat(lb.tryAcquire(path("/new"))).isEmpty();
    open.remove(0).close();
    open.remove(0).close();
    assertThat(lb.tryAcquire(path("/new"))).isEmpty(); // 1 open, cap 1
    open.remove(0).close();
    lb.acquire(path("/new")).close();
  }

  @Test
  void aPerServerCapSurvivesBalancerWideChanges() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s).maxConcurrent(1).build();
    lb.setMaxConcurrent(s.get(0), 3);
    lb.setMaxConcurrent(2);
    List<Lease> open = new ArrayList<>();
    for (Optional<Lease> l = lb.tryAcquire(path("/x"));
        l.isPresent();
        l = lb.tryAcquire(path("/x"))) {
      open.add(l.get());
    }
    assertThat(s.get(0).activeConnections()).isEqualTo(3);
    assertThat(s.get(1).activeConnections()).isEqualTo(2);
    open.forEach(Lease::close);
  }

  @Test
  void raisingTheCapServesAWaitingAcquire() throws Exception {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).maxConcurrent(1).build();
    try (Lease held = lb.acquire(path("/held"))) {
      FacadeFixtures.Waiter waiter =
          new FacadeFixtures.Waiter(lb, path("/waiting"), Duration.ofMinutes(1)).awaitQueued();
      lb.setMaxConcurrent(s.get(0), 2);
      Lease granted =
          waiter.outcome.get(
              FacadeFixtures.BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(granted.server()).isEqualTo(s.get(0));
      granted.close();
    }
  }

  @Test
  void theSettersRejectWhatTheBuilderRejectsWithTheSameMessages() {
    List<Server> s = servers(1);
    LoadBalancer lb = LoadBalancer.builder(s).build();
    LoadBalancer.Builder builder = LoadBalancer.builder(s);
    for (double perSecond : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, 2e9}) {
      String expected = catchThrowable(() -> builder.rateLimit(perSecond, 1)).getMessage();
      assertThat(expected).startsWith("perSecond: ");
      assertThatThrownBy(() -> lb.setRateLimit(perSecond, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(expected);
      assertThatThrownBy(() -> lb.setRateLimit(s.get(0), perSecond, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(expected);
    }
    assertThatThrownBy(() -> lb.setRateLimit(1.0, 0)).hasMessage("burst: 0 (expected: >= 1)");
    assertThatThrownBy(() -> lb.setRateLimit(s.get(0), 1.0, -2))
        .hasMessage("burst: -2 (expected: >= 1)");
    assertThatThrownBy(() -> lb.setMaxConcurrent(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrent: 0 (expected: >= 1)");
    assertThatThrownBy(() -> lb.setMaxConcurrent(s.get(0), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrent: -1 (expected: >= 1)");
  }

  @Test
  void aPerServerSetterForANonMemberNamesIt() {
    List<Server> s = servers(2);
    LoadBalancer lb = LoadBalancer.builder(s.subList(0, 1)).build();
    assertThatThrownBy(() -> lb.setMaxConcurrent(s.get(1), 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(s.get(1).id());
    assertThatThrownBy(() -> lb.setRateLimit(s.get(1), 1.0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(s.get(1).id());
    assertThatThrownBy(() -> lb.setMaxConcurrent(null, 2))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> lb.setRateLimit(null, 1.0, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
  }

  /**
   * The race: leases granted while caps change, balancer-wide and per server, from 8 threads (7
   * acquiring, 1 changing). Each acquire runs under a read lock and each change under the write
   * lock of a test-side lock, so the cap in force is fixed while an acquire runs and the test knows
   * it. The test's own count of open leases rises after a grant and falls before the close, so it
   * never exceeds the server's true count: a count above the cap in force, seen right after a
   * grant, is a lease granted over it. Old leases over a newly lowered cap are allowed.
   */
  @Test
  void underEightThreadsNoLeaseIsGrantedOverTheCapInForce() throws Exception {
    List<Server> s = servers(2);
    Server watched = s.get(0);
    LoadBalancer lb = LoadBalancer.builder(s).maxConcurrent(4).build();
    ReentrantReadWriteLock changes = new ReentrantReadWriteLock(true); // fair: the changer gets in
    int[] model = {4, 0}; // {balancer-wide cap, watched's override or 0}; under the write lock
    AtomicInteger open = new AtomicInteger(); // leases on watched, as the test counts them
    AtomicLong grants = new AtomicLong();
    List<String> violations = new CopyOnWriteArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 7; t++) {
      boolean targeted = t % 2 == 0;
      threads.add(
          Racers.thread(
              start,
              failures::add,
              () -> {
                List<Lease> held = new ArrayList<>();
                SplittableRandom random = new SplittableRandom(targeted ? 1 : 2);
                while (!stop.get()) {
                  changes.readLock().lock();
                  try {
                    int cap = model[1] != 0 ? model[1] : model[0];
                    Optional<Lease> lease =
                        targeted ? lb.tryAcquire(path("/t"), watched) : lb.tryAcquire(path("/a"));
                    if (lease.isPresent() && lease.get().server().equals(watched)) {
                      int now = open.incrementAndGet();
                      grants.incrementAndGet();
                      if (now > cap) {
                        violations.add(now + " open with cap " + cap);
                      }
                      held.add(lease.get());
                    } else {
                      lease.ifPresent(held::add);
                    }
                  } finally {
                    changes.readLock().unlock();
                  }
                  if (held.size() > 3 || (!held.isEmpty() && random.nextInt(3) == 0)) {
                    Lease done = held.remove(random.nextInt(held.size()));
                    if (done.server().equals(watched)) {
                      open.decrementAndGet();
                    }
                    done.close();
                  }
                }
                for (Lease l : held) {
                  if (l.server().equals(watched)) {
                    open.decrementAndGet();
                  }
                  l.close();
                }
              }));
    }
    threads.add(
        Racers.thread(
            start,
            failures::add,
            () -> {
              SplittableRandom random = new SplittableRandom(42);
              for (int i = 0; i < 500; i++) {
                changes.writeLock().lock();
                try {
                  int cap = 1 + random.nextInt(6);
                  switch (random.nextInt(3)) {
                    case 0:
                      lb.setMaxConcurrent(cap);
                      model[0] = cap;
                      break;
                    case 1:
                      lb.setMaxConcurrent(watched, cap);
                      model[1] = cap;
                      break;
                    default:
                      lb.setRateLimit(1e6, 1_000_000); // a rate change racing too; never binding
                  }
                } finally {
                  changes.writeLock().unlock();
                }
                Thread.yield();
              }
              stop.set(true);
            }));
    start.countDown();
    for (Thread t : threads) {
      t.join(Duration.ofMinutes(2).toMillis());
      assertThat(t.isAlive()).as("a racer hangs").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(violations).isEmpty();
    assertThat(grants.get()).isPositive();
    assertThat(s).allSatisfy(server -> assertThat(server.activeConnections()).isZero());
  }
}
