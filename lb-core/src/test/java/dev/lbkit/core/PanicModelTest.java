package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The panic verdict, ejections and their cap against a model, step by step on a fake clock: health
 * flips, ejections that end by the clock, unejections, joins, removals and drains that wait for
 * leases. After every step the balancer's verdict, each server's ejection, the answer of {@code
 * eject} (the cap) and what a route may return must be the model's. Routers hammer the balancer
 * meanwhile, racing each other to rebuild the tables whose verdict ran out.
 */
class PanicModelTest {

  private static final int POOL = 8;
  private static final int SEEDS = 100;
  private static final int STEPS = 120;

  @Test
  void theVerdictEjectionsAndRoutesFollowTheModelOnFakeTime() throws Exception {
    for (int seed = 0; seed < SEEDS; seed++) {
      run(seed, seed % 4 == 0);
    }
  }

  /** What the balancer should believe. */
  private static final class Model {
    final List<Server> members = new ArrayList<>(); // draining ones included
    final List<Server> draining = new ArrayList<>();
    final Map<Server, Long> ejectedUntil = new HashMap<>(); // per membership: gone on leaving

    boolean ejected(Server s, long now) {
      Long until = ejectedUntil.get(s);
      return until != null && until - now > 0;
    }

    boolean inRotation(Server s, long now) {
      return s.isHealthy() && !ejected(s, now);
    }

    int routable() {
      return members.size() - draining.size();
    }

    boolean panic(double threshold, long now) {
      int inRotation = 0;
      for (Server s : members) {
        if (!draining.contains(s) && inRotation(s, now)) {
          inRotation++;
        }
      }
      return inRotation < threshold * routable();
    }

    void leave(Server s) {
      members.remove(s);
      draining.remove(s);
      ejectedUntil.remove(s);
    }

    /** Drained members whose last lease closed have left. */
    void settle() {
      for (Server s : new ArrayList<>(draining)) {
        if (s.activeConnections() == 0) {
          leave(s);
        }
      }
    }
  }

  private static void run(int seed, boolean withRouters) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    FakeTicker ticker = new FakeTicker(random.nextLong());
    double threshold = 0.1 + 0.9 * random.nextDouble();
    int percent = 1 + random.nextInt(100);
    List<Server> pool = new ArrayList<>();
    for (int i = 0; i < POOL; i++) {
      pool.add(new Server("10.99." + seed + "." + (i + 1), 8080));
    }
    Model model = new Model();
    model.members.addAll(pool.subList(0, 5));
    LoadBalancer lb =
        LoadBalancer.builder(pool.subList(0, 5))
            .ticker(ticker)
            .panicThreshold(threshold)
            .maxEjectionPercent(percent)
            .build();
    ArrayDeque<Lease> held = new ArrayDeque<>();
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> routers = new ArrayList<>();
    if (withRouters) {
      for (int r = 0; r < 3; r++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < 200_000 && !done.get(); i++) {
                      Optional<Server> unused = lb.route(Request.empty());
                      boolean panicking = lb.isPanicking();
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        t.setDaemon(true);
        t.start();
        routers.add(t);
      }
    }
    try {
      for (int step = 0; step < STEPS; step++) {
        Server s = pool.get(random.nextInt(POOL));
        long now = ticker.read();
        String what;
        switch (random.nextInt(9)) {
          case 0, 1 -> {
            boolean healthy = random.nextBoolean();
            s.setHealthy(healthy);
            what = "setHealthy(" + s + ", " + healthy + ")";
          }
          case 2, 3 -> {
            long nanos = Duration.ofMillis(1 + random.nextInt(100)).toNanos();
            boolean expected = expectEject(model, s, now, percent);
            what = "eject(" + s + ", " + nanos + ")";
            assertThat(lb.eject(s, Duration.ofNanos(nanos)))
                .as("seed %s: %s", seed, what)
                .isEqualTo(expected);
            if (expected) {
              model.ejectedUntil.put(s, now + nanos);
            }
          }
          case 4 -> {
            boolean expected = model.members.contains(s) && model.ejected(s, now);
            what = "uneject(" + s + ")";
            assertThat(lb.uneject(s)).as("seed %s: %s", seed, what).isEqualTo(expected);
            model.ejectedUntil.remove(s);
          }
          case 5 -> {
            ticker.advanceNanos(Duration.ofMillis(random.nextInt(60)).toNanos());
            what = "advance to " + ticker.read();
          }
          case 6 -> {
            what = "membership " + s;
            if (!model.members.contains(s)) {
              lb.addServer(s);
              model.members.add(s);
            } else if (random.nextBoolean()) {
              lb.removeServer(s);
              model.leave(s);
            } else {
              var unused = lb.drain(s);
              if (!model.draining.contains(s)) {
                model.draining.add(s);
              }
              model.settle();
            }
          }
          case 7 -> {
            what = "acquire";
            lb.tryAcquire(Request.empty()).ifPresent(held::add);
          }
          default -> {
            what = "close";
            if (!held.isEmpty()) {
              held.poll().close();
            }
            model.settle();
          }
        }
        check(lb, model, pool, ticker.read(), threshold, "seed " + seed + " after " + what);
      }
    } finally {
      done.set(true);
      for (Thread t : routers) {
        t.join(FacadeFixtures.BOUND.toMillis());
        assertThat(t.isAlive()).as("router stuck").isFalse();
      }
      held.forEach(Lease::close);
    }
    assertThat(failures).isEmpty();
    assertThat(pool).allMatch(s -> s.activeConnections() == 0);
  }

  /** The cap, as documented: counted over the members not draining, at least one. */
  private static boolean expectEject(Model model, Server s, long now, int percent) {
    if (!model.members.contains(s)) {
      return false;
    }
    if (model.draining.contains(s) || model.ejected(s, now)) {
      return true;
    }
    int ejected = 0;
    for (Server m : model.members) {
      if (!model.draining.contains(m) && model.ejected(m, now)) {
        ejected++;
      }
    }
    return ejected < Math.max(1, model.routable() * percent / 100);
  }

  private static void check(
      LoadBalancer lb, Model model, List<Server> pool, long now, double threshold, String when) {
    assertThat(lb.servers()).as(when).containsExactlyInAnyOrderElementsOf(model.members);
    for (Server s : pool) {
      assertThat(lb.isEjected(s))
          .as(when + ": isEjected(" + s + ")")
          .isEqualTo(model.ejected(s, now));
      assertThat(lb.isDraining(s)).as(when).isEqualTo(model.draining.contains(s));
    }
    boolean panic = model.panic(threshold, now);
    // A table whose verdict ran out with the clock is rebuilt by the one route that wins the
    // flag; the others, this check included, go on with the table they read until it is
    // published (documented). So wait, bounded, for the rebuild a router may be running.
    long bound = System.nanoTime() + FacadeFixtures.BOUND.toNanos();
    while (lb.isPanicking() != panic && System.nanoTime() - bound < 0) {
      Thread.onSpinWait();
    }
    assertThat(lb.isPanicking()).as(when + ": panic").isEqualTo(panic);
    boolean any = false;
    for (Server s : model.members) {
      if (!model.draining.contains(s) && (panic || model.inRotation(s, now))) {
        any = true;
      }
    }
    Optional<Server> routed = lb.route(Request.empty());
    assertThat(routed.isPresent()).as(when + ": routed").isEqualTo(any);
    if (routed.isPresent()) {
      Server s = routed.get();
      assertThat(model.members).as(when).contains(s);
      assertThat(model.draining).as(when).doesNotContain(s);
      if (!panic) {
        assertThat(model.inRotation(s, now)).as(when + ": " + s + " in rotation").isTrue();
      }
    }
  }
}
