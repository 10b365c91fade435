package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What a {@link Lease} does when it closes, and what listeners hear. */
class LeaseTest {

  private final FakeTicker ticker = new FakeTicker();
  private final List<Server> servers = servers(2);

  /** Records every event as a line of text. */
  static final class Recorder implements LoadBalancerListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onRouted(Request request, Server server) {
      events.add("routed " + request.path() + " -> " + server.id());
    }

    @Override
    public void onRejected(Request request) {
      events.add("rejected " + request.path());
    }

    @Override
    public void onLeaseClosed(
        Request request, Server server, long latencyNanos, @Nullable Throwable failure) {
      events.add(
          "closed "
              + request.path()
              + " on "
              + server.id()
              + " after "
              + latencyNanos
              + " ns"
              + (failure == null ? "" : " failed: " + failure.getMessage()));
    }
  }

  /** Throws from every callback. */
  static final class Throwing implements LoadBalancerListener {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void onRouted(Request request, Server server) {
      calls.incrementAndGet();
      throw new IllegalStateException("listener bug (expected by the test)");
    }

    @Override
    public void onRejected(Request request) {
      calls.incrementAndGet();
      throw new IllegalStateException("listener bug (expected by the test)");
    }

    @Override
    public void onLeaseClosed(
        Request request, Server server, long latencyNanos, @Nullable Throwable failure) {
      calls.incrementAndGet();
      throw new IllegalStateException("listener bug (expected by the test)");
    }
  }

  @Test
  void aLeaseHoldsAConnectionUntilClosed() {
    LoadBalancer lb = LoadBalancer.builder(servers).ticker(ticker).build();
    Request request = path("/a");
    Lease lease = lb.acquire(request);
    assertThat(lease.server()).isSameAs(servers.get(0));
    assertThat(lease.request()).isSameAs(request);
    assertThat(lease.isClosed()).isFalse();
    assertThat(lease.failure()).isNull();
    assertThat(servers.get(0).activeConnections()).isEqualTo(1);
    assertThat(lb.stats().activeConnections()).isEqualTo(1);
    ticker.advance(Duration.ofMillis(12));
    assertThat(lease.elapsed()).isEqualTo(Duration.ofMillis(12));
    assertThat(lease).hasToString("Lease{10.1.0.1:8080}");
    lease.close();
    assertThat(lease.isClosed()).isTrue();
    assertThat(lease).hasToString("Lease{10.1.0.1:8080, closed}");
    assertThat(servers.get(0).activeConnections()).isZero();
    ServerStats stats = lb.stats().servers().get("10.1.0.1:8080");
    assertThat(stats.completed()).isEqualTo(1);
    assertThat(stats.errors()).isZero();
    assertThat(stats.max()).isEqualTo(Duration.ofMillis(12));
  }

  @Test
  void closingTwiceReleasesOnce() {
    Recorder recorder = new Recorder();
    LoadBalancer lb = LoadBalancer.builder(servers).listener(recorder).ticker(ticker).build();
    Lease other = lb.acquire(path("/other")); // a second connection that must survive
    Lease lease = lb.acquire(path("/twice"));
    lease.close();
    lease.close();
    lease.close();
    assertThat(lease.server().activeConnections()).isZero();
    assertThat(other.server().activeConnections()).isEqualTo(1);
    assertThat(lb.stats().servers().get(lease.server().id()).completed()).isEqualTo(1);
    assertThat(recorder.events).filteredOn(e -> e.startsWith("closed /twice")).hasSize(1);
    other.close();
  }

  /** Race: two threads closing the same lease at once; the release must happen exactly once. */
  @Test
  void closingFromTwoThreadsAtOnceReleasesOnce() throws Exception {
    AtomicInteger closedEvents = new AtomicInteger();
    LoadBalancer lb =
        LoadBalancer.builder(List.of(servers.get(0)))
            .maxConcurrent(2)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onLeaseClosed(
                      Request request, Server server, long nanos, @Nullable Throwable failure) {
                    closedEvents.incrementAndGet();
                  }
                })
            .build();
    Server server = servers.get(0);
    Lease bystander = lb.acquire(path("/bystander")); // would be released by a double release
    int rounds = 500;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier barrier = new CyclicBarrier(2);
      for (int i = 0; i < rounds; i++) {
        Lease lease = lb.acquire(path("/raced"));
        assertThat(server.activeConnections()).isEqualTo(2);
        Future<?> one =
            pool.submit(
                () -> {
                  barrier.await(10, TimeUnit.SECONDS);
                  lease.close();
                  return null;
                });
        Future<?> two =
            pool.submit(
                () -> {
                  barrier.await(10, TimeUnit.SECONDS);
                  lease.close();
                  return null;
                });
        one.get(10, TimeUnit.SECONDS);
        two.get(10, TimeUnit.SECONDS);
        assertThat(server.activeConnections()).as("round %s", i).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(closedEvents).hasValue(rounds);
    assertThat(lb.stats().servers().get(server.id()).completed()).isEqualTo(rounds);
    bystander.close();
    assertThat(server.activeConnections()).isZero();
  }

  @Test
  void aFailedLeaseCountsAnError() {
    Recorder recorder = new Recorder();
    LoadBalancer lb =
        LoadBalancer.builder(List.of(servers.get(0))).listener(recorder).ticker(ticker).build();
    IOException cause = new IOException("connection reset");
    try (Lease lease = lb.acquire(path("/x"))) {
      ticker.advance(Duration.ofMillis(3));
      lease.fail(cause);
      lease.fail(new IOException("second failure, ignored"));
      assertThat(lease.failure()).isSameAs(cause);
    }
    try (Lease lease = lb.acquire(path("/ok"))) {
      assertThat(lease.failure()).isNull();
    }
    Lease late = lb.acquire(path("/late"));
    late.close();
    late.fail(new IOException("after close: too late to count"));

    ServerStats stats = lb.stats().servers().get(servers.get(0).id());
    assertThat(stats.completed()).isEqualTo(3);
    assertThat(stats.errors()).isEqualTo(1);
    assertThat(stats.errorRate()).isEqualTo(1.0 / 3);
    assertThat(lb.stats().totalErrors()).isEqualTo(1);
    assertThat(recorder.events)
        .contains("closed /x on 10.1.0.1:8080 after 3000000 ns failed: connection reset")
        .contains("closed /ok on 10.1.0.1:8080 after 0 ns");
  }

  @Test
  void listenersHearRoutesRejectionsAndClosedLeases() {
    Recorder recorder = new Recorder();
    LoadBalancer lb = LoadBalancer.builder(servers).ticker(ticker).maxConcurrent(1).build();
    lb.addListener(recorder);
    lb.route(path("/r1"));
    Lease one = lb.acquire(path("/l1"));
    Lease two = lb.acquire(path("/l2"));
    assertThat(lb.tryAcquire(path("/l3"))).isEmpty();
    assertThat(lb.route(path("/r2"))).isEmpty(); // both at their cap
    ticker.advance(Duration.ofMillis(7));
    one.close();
    servers.forEach(s -> s.setHealthy(false));
    assertThat(lb.route(path("/r3"))).isEmpty();
    two.close();
    assertThat(recorder.events)
        .containsExactly(
            "routed /r1 -> 10.1.0.1:8080",
            "routed /l1 -> 10.1.0.2:8080",
            "routed /l2 -> 10.1.0.1:8080",
            "rejected /l3",
            "rejected /r2",
            "closed /l1 on 10.1.0.2:8080 after 7000000 ns",
            "rejected /r3",
            "closed /l2 on 10.1.0.1:8080 after 7000000 ns");

    lb.removeListener(recorder);
    lb.removeListener(recorder); // not there any more: nothing happens
    servers.forEach(s -> s.setHealthy(true));
    lb.route(path("/unheard"));
    assertThat(recorder.events).hasSize(8);
  }

  @Test
  void aListenerThatThrowsBreaksNeitherRoutingNorLeases() {
    Throwing throwing = new Throwing();
    Recorder recorder = new Recorder();
    LoadBalancer lb =
        LoadBalancer.builder(servers)
            .listener(throwing)
            .listener(recorder)
            .maxConcurrent(1)
            .ticker(ticker)
            .build();
    assertThat(lb.route(path("/r"))).isPresent();
    Lease a = lb.acquire(path("/a"));
    Lease b = lb.acquire(path("/b"));
    assertThat(lb.tryAcquire(path("/c"))).isEmpty();
    a.fail(new IOException("boom"));
    a.close();
    b.close();
    assertThat(lb.execute(path("/e"), Server::id)).isNotEmpty();

    assertThat(throwing.calls.get()).isEqualTo(recorder.events.size()).isEqualTo(8);
    assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    Stats stats = lb.stats();
    assertThat(stats.totalRequests()).isEqualTo(4);
    assertThat(stats.totalErrors()).isEqualTo(1);
    assertThat(stats.rejected()).isEqualTo(1);
    assertThat(lb.tryAcquire(path("/after"))).isPresent().get().satisfies(Lease::close);
  }
}
