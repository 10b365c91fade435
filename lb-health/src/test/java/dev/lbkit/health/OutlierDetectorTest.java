package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.LoadBalancerListener;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@link OutlierDetector} on fake time: one clock drives the balancer and the detector. */
class OutlierDetectorTest {

  private static final Duration BASE = Duration.ofSeconds(30);

  private final FakeClock ticker = new FakeClock(-7_000_000_000L); // across zero, for good measure
  private final List<Server> servers = servers(4);
  private final Server a = servers.get(0);
  private final Server b = servers.get(1);
  private final LoadBalancer lb = balancer(servers);
  private final List<String> ejections = new CopyOnWriteArrayList<>();
  private final IOException boom = new IOException("boom");

  private static List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      servers.add(new Server("10.2.0." + (i + 1), 8080));
    }
    return servers;
  }

  private LoadBalancer balancer(List<Server> servers) {
    return LoadBalancer.builder(servers).ticker(ticker).build();
  }

  /** A detector attached to {@code lb} that logs each ejection as "host-octet duration". */
  private OutlierDetector attached(OutlierDetector.Builder builder, LoadBalancer lb) {
    OutlierDetector detector = builder.build();
    detector.attach(lb);
    detector.onEjected(
        (server, duration) ->
            ejections.add(server.host().substring(7) + " " + duration.toSeconds() + "s"));
    return detector;
  }

  private OutlierDetector attached(OutlierDetector.Builder builder) {
    return attached(builder, lb);
  }

  private void advance(Duration d) {
    ticker.advance(d);
  }

  private void fail(OutlierDetector detector, Server server, int times) {
    for (int i = 0; i < times; i++) {
      detector.recordFailure(server, boom);
    }
  }

  @Test
  void theFifthConsecutiveFailureEjects() {
    OutlierDetector detector = attached(OutlierDetector.builder());
    fail(detector, a, 4);
    assertThat(lb.isEjected(a)).isFalse();
    fail(detector, a, 1);
    assertThat(lb.isEjected(a)).isTrue();
    assertThat(ejections).containsExactly("1 30s");

    advance(BASE.minusNanos(1));
    assertThat(lb.isEjected(a)).isTrue();
    advance(Duration.ofNanos(1));
    assertThat(lb.isEjected(a)).isFalse();
  }

  @Test
  void aSuccessInBetweenResetsTheCount() {
    OutlierDetector detector = attached(OutlierDetector.builder());
    fail(detector, a, 4);
    detector.recordSuccess(a);
    fail(detector, a, 4);
    assertThat(lb.isEjected(a)).isFalse();
    detector.recordFailure(a, boom);
    assertThat(lb.isEjected(a)).isTrue();
  }

  @Test
  void failuresOnOneServerDoNotCountForAnother() {
    OutlierDetector detector = attached(OutlierDetector.builder());
    for (int i = 0; i < 4; i++) {
      detector.recordFailure(a, boom);
      detector.recordFailure(b, boom);
    }
    assertThat(servers).noneMatch(lb::isEjected);
  }

  @Test
  void leaseOutcomesFeedTheDetector() {
    List<Server> two = servers(2);
    LoadBalancer lb = balancer(two);
    attached(OutlierDetector.builder().maxEjectionPercent(50), lb);
    Server bad = two.get(0);
    List<Server> granted = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      try (Lease lease = lb.acquire(Request.empty())) {
        granted.add(lease.server());
        if (lease.server().equals(bad)) {
          lease.fail(boom);
        }
      }
    }
    // Round robin alternates until the fifth failure on the bad server; then all go to the other.
    assertThat(granted.subList(0, 10))
        .containsExactly(
            bad, two.get(1), bad, two.get(1), bad, two.get(1), bad, two.get(1), bad, two.get(1));
    assertThat(granted.subList(10, 20)).containsOnly(two.get(1));
    assertThat(lb.isEjected(bad)).isTrue();
    assertThat(ejections).containsExactly("1 30s");
  }

  @Test
  void executeFailuresFeedTheDetectorToo() {
    Server only = new Server("10.2.0.9", 8080);
    LoadBalancer lb = balancer(List.of(only));
    attached(OutlierDetector.builder().consecutiveFailures(2), lb);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(
              () ->
                  lb.execute(
                      Request.empty(),
                      server -> {
                        throw boom;
                      }))
          .hasRootCauseInstanceOf(IOException.class);
    }
    assertThat(lb.isEjected(only)).isTrue();
  }

  @Test
  void ejectionTimeGrowsWithEachEjectionUpToTheMaximum() {
    OutlierDetector detector =
        attached(
            OutlierDetector.builder()
                .maxEjectionPercent(100)
                .maxEjectionTime(Duration.ofSeconds(100)));
    fail(detector, a, 5);
    for (int round = 0; round < 5; round++) {
      Duration last = Duration.ofSeconds(Math.min(30L * (round + 1), 100));
      advance(last.minusNanos(1));
      assertThat(lb.isEjected(a)).as("round %d", round).isTrue();
      advance(Duration.ofNanos(1));
      assertThat(lb.isEjected(a)).as("round %d", round).isFalse();
      detector.recordFailure(a, boom); // on probation: one failure ejects again at once
    }
    assertThat(ejections).containsExactly("1 30s", "1 60s", "1 90s", "1 100s", "1 100s", "1 100s");
  }

  @Test
  void theDefaultMaximumIsFiveMinutes() {
    OutlierDetector detector = attached(OutlierDetector.builder().maxEjectionPercent(100));
    fail(detector, a, 5);
    for (int k = 1; k <= 11; k++) {
      advance(Duration.ofSeconds(Math.min(30L * k, 300))); // to the end of the k-th ejection
      detector.recordFailure(a, boom);
    }
    assertThat(ejections)
        .containsExactly(
            "1 30s", "1 60s", "1 90s", "1 120s", "1 150s", "1 180s", "1 210s", "1 240s", "1 270s",
            "1 300s", "1 300s", "1 300s");
  }

  @Test
  void probation_aSuccessEndsItAndTheServerNeedsTheFullCountAgain() {
    OutlierDetector detector = attached(OutlierDetector.builder());
    fail(detector, a, 5);
    advance(BASE);
    detector.recordSuccess(a); // back, on probation; this success ends it
    fail(detector, a, 4);
    assertThat(lb.isEjected(a)).isFalse();
    detector.recordFailure(a, boom);
    assertThat(lb.isEjected(a)).isTrue();
    assertThat(ejections).as("not forgiven yet: twice the base").containsExactly("1 30s", "1 60s");
  }

  @Test
  void outcomesDuringAnEjectionAreIgnored() {
    OutlierDetector detector = attached(OutlierDetector.builder());
    fail(detector, a, 5);
    advance(Duration.ofSeconds(10));
    fail(detector, a, 20); // calls that started before the ejection, ending now
    detector.recordSuccess(a);
    assertThat(ejections).containsExactly("1 30s");
    advance(Duration.ofSeconds(20));
    assertThat(lb.isEjected(a)).as("not extended").isFalse();
  }

  @Test
  void anEarlyUnejectPutsTheServerOnProbation() {
    OutlierDetector detector = attached(OutlierDetector.builder());
    fail(detector, a, 5);
    advance(Duration.ofSeconds(5));
    lb.uneject(a);
    detector.recordFailure(a, boom);
    assertThat(lb.isEjected(a)).isTrue();
    assertThat(ejections).containsExactly("1 30s", "1 60s");
  }

  @Test
  void ejectionsAreForgivenOneIntervalAtATimeInRotation() {
    OutlierDetector detector =
        attached(OutlierDetector.builder().interval(BASE).maxEjectionPercent(100));
    fail(detector, a, 5); // 30 s
    advance(BASE);
    detector.recordFailure(a, boom); // probation: 60 s
    advance(Duration.ofSeconds(60));
    detector.recordFailure(a, boom); // probation: 90 s
    advance(Duration.ofSeconds(90));
    detector.recordSuccess(a); // back with three ejections to forgive
    advance(Duration.ofSeconds(60)); // two of them
    fail(detector, a, 5);
    assertThat(ejections).containsExactly("1 30s", "1 60s", "1 90s", "1 60s");

    advance(Duration.ofSeconds(60));
    detector.recordSuccess(a);
    advance(Duration.ofSeconds(90)); // three steps for the two left: never below none
    fail(detector, a, 5);
    assertThat(ejections).last().isEqualTo("1 30s");
  }

  @Test
  void neverMoreThanMaxEjectionPercentAtOnce_tenServersAllFailing() {
    List<Server> ten = servers(10);
    LoadBalancer lb = balancer(ten);
    OutlierDetector detector = attached(OutlierDetector.builder(), lb); // 10%: one of ten
    for (int round = 0; round < 3; round++) {
      for (Server s : ten) {
        fail(detector, s, 5);
        assertThat(ten.stream().filter(lb::isEjected).count()).isLessThanOrEqualTo(1);
      }
    }
    assertThat(ten.stream().filter(lb::isEjected)).containsExactly(ten.get(0));

    advance(BASE); // the first comes back; the others are one failure short of the threshold
    detector.recordFailure(ten.get(5), boom);
    assertThat(ten.stream().filter(lb::isEjected)).containsExactly(ten.get(5));
    assertThat(ejections).containsExactly("1 30s", "6 30s");

    LoadBalancer half = balancer(servers(10));
    OutlierDetector wide = attached(OutlierDetector.builder().maxEjectionPercent(50), half);
    for (Server s : half.servers()) {
      fail(wide, s, 5);
    }
    assertThat(half.servers().stream().filter(half::isEjected)).hasSize(5);
  }

  @Test
  void aThrowingCallbackOrListenerDoesNotStopTheDetector() {
    LoadBalancer lb =
        LoadBalancer.builder(servers)
            .ticker(ticker)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onLeaseClosed(
                      Request request,
                      Server server,
                      long latencyNanos,
                      @Nullable Throwable failure) {
                    throw new IllegalStateException("listener boom");
                  }
                })
            .build();
    OutlierDetector detector =
        OutlierDetector.builder().consecutiveFailures(2).maxEjectionPercent(100).build();
    detector.onEjected(
        (server, duration) -> {
          throw new IllegalStateException("callback boom");
        });
    List<Server> heard = new ArrayList<>();
    detector.onEjected((server, duration) -> heard.add(server));
    detector.attach(lb);

    Server first = null;
    for (int i = 0; i < 8 && heard.isEmpty(); i++) {
      try (Lease lease = lb.acquire(Request.empty())) {
        if (first == null) {
          first = lease.server();
        }
        if (lease.server().equals(first)) {
          lease.fail(boom);
        }
      }
    }
    assertThat(heard).containsExactly(first);
    assertThat(lb.isEjected(first)).isTrue();

    detector.recordFailure(b, boom);
    detector.recordFailure(b, boom);
    assertThat(heard).as("the callbacks still run").hasSize(2);
  }

  /** The race: many threads report the failure that crosses the threshold at the same moment. */
  @Test
  void concurrentFailuresEjectOnce() throws Exception {
    OutlierDetector detector = attached(OutlierDetector.builder().consecutiveFailures(100));
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  fail(detector, a, 250);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    // 1000 failures at frozen time: the 100th ejects; the rest find the server ejected.
    assertThat(ejections).containsExactly("1 30s");
    assertThat(lb.isEjected(a)).isTrue();
  }

  @Test
  void closeStopsListeningAndForgets() {
    OutlierDetector detector = attached(OutlierDetector.builder().consecutiveFailures(1));
    detector.close();
    detector.close(); // idempotent
    try (Lease lease = lb.acquire(Request.empty())) {
      lease.fail(boom);
    }
    assertThat(servers).noneMatch(lb::isEjected);
    assertThatThrownBy(() -> detector.recordFailure(a, boom))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("closed");
    assertThatThrownBy(() -> detector.attach(lb))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("closed");
  }

  @Test
  void aTickerOfItsOwnTimesForgiveness() {
    FakeClock own = new FakeClock();
    OutlierDetector detector =
        attached(OutlierDetector.builder().interval(BASE).maxEjectionPercent(100).ticker(own));
    fail(detector, a, 5);
    advance(BASE); // the balancer's clock ends the ejection
    detector.recordSuccess(a);
    advance(Duration.ofMinutes(10)); // the balancer's clock only
    fail(detector, a, 5); // not forgiven on the detector's clock: twice the base
    advance(Duration.ofSeconds(60));
    detector.recordSuccess(a);
    own.advance(Duration.ofSeconds(60)); // two intervals: both forgiven
    fail(detector, a, 5);
    assertThat(ejections).containsExactly("1 30s", "1 60s", "1 30s");
  }

  @Test
  void badInputIsRejected() {
    OutlierDetector.Builder builder = OutlierDetector.builder();
    assertThatThrownBy(() -> builder.consecutiveFailures(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consecutiveFailures: 0 (expected: >= 1)");
    assertThatThrownBy(() -> builder.baseEjectionTime(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("baseEjectionTime");
    assertThatThrownBy(() -> builder.baseEjectionTime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("baseEjectionTime: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.maxEjectionTime(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEjectionTime: PT-1S (expected: > 0)");
    assertThatThrownBy(() -> builder.maxEjectionPercent(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEjectionPercent: 0 (expected: 1..100)");
    assertThatThrownBy(() -> builder.maxEjectionPercent(101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEjectionPercent: 101 (expected: 1..100)");
    assertThatThrownBy(() -> builder.ticker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(
            () ->
                OutlierDetector.builder()
                    .baseEjectionTime(Duration.ofSeconds(60))
                    .maxEjectionTime(Duration.ofSeconds(10))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEjectionTime: PT10S (expected: >= baseEjectionTime PT1M)");
    // Unset, the maximum follows a longer base instead of failing.
    OutlierDetector.builder().baseEjectionTime(Duration.ofMinutes(10)).build();

    OutlierDetector detector = builder.build();
    assertThatThrownBy(() -> detector.recordFailure(a, boom))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("not attached (expected: attach(LoadBalancer) first)");
    assertThatThrownBy(() -> detector.attach(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("balancer");
    detector.attach(lb);
    assertThatThrownBy(() -> detector.attach(lb))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("already attached to LoadBalancer{");
    assertThatThrownBy(() -> detector.recordFailure(null, boom))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> detector.recordFailure(a, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cause");
    assertThatThrownBy(() -> detector.recordSuccess(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> detector.onEjected(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("callback");
  }
}
