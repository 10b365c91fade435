package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Small helpers shared by the {@link LoadBalancer} tests. */
final class FacadeFixtures {

  /** How long a test waits, at most, for something that involves real blocking. */
  static final Duration BOUND = Duration.ofSeconds(10);

  private FacadeFixtures() {}

  /**
   * Sets {@code algorithm} on {@code builder} with what it needs: for {@link Algorithm#PREQUAL}, a
   * probe that answers at once, on the picking thread, with the server's own connection count.
   */
  static LoadBalancer.Builder algorithm(LoadBalancer.Builder builder, Algorithm algorithm) {
    builder.algorithm(algorithm);
    if (algorithm == Algorithm.PREQUAL) {
      builder.prequal(
          PrequalConfig.builder(
                  s ->
                      CompletableFuture.completedFuture(
                          new LoadReport(s.activeConnections(), 1_000)))
              .executor(Runnable::run)
              .build());
    }
    return builder;
  }

  /** Returns {@code n} healthy servers of weight 1: 10.1.0.1:8080, 10.1.0.2:8080, ... */
  static List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      servers.add(new Server("10.1.0." + (i + 1), 8080));
    }
    return servers;
  }

  static Request path(String path) {
    return Request.builder().path(path).build();
  }

  static Request keyed(String key) {
    return Request.builder().key(key).path("/jobs").build();
  }

  static Request fromIp(String ip) {
    return Request.builder().clientIp(ip).path("/api").build();
  }

  /** A request carrying {@code lb}'s affinity cookie for {@code server}. */
  static Request withCookie(LoadBalancer lb, Server server) {
    return Request.builder()
        .path("/cart")
        .cookie(lb.affinityCookieName(), lb.affinityCookieValue(server))
        .build();
  }

  /** Routes {@code request} and returns the server, failing if the route is empty. */
  static Server routed(LoadBalancer lb, Request request) {
    return lb.route(request).orElseThrow(() -> new AssertionError("no server for " + request));
  }

  /**
   * A thread blocked in {@link LoadBalancer#acquire(Request, Duration)}; its outcome lands in
   * {@link #outcome}.
   */
  static final class Waiter {
    final CompletableFuture<Lease> outcome = new CompletableFuture<>();
    final Thread thread;

    Waiter(LoadBalancer lb, Request request, Duration timeout) {
      this.thread =
          new Thread(
              () -> {
                try {
                  outcome.complete(lb.acquire(request, timeout));
                } catch (Throwable e) {
                  outcome.completeExceptionally(e);
                }
              },
              "waiter " + request);
      thread.setDaemon(true);
      thread.start();
    }

    /**
     * Returns once the thread is parked in its timed wait, that is, queued behind the full servers.
     * A bounded spin on the thread's state (real blocking is involved): fails after {@link #BOUND},
     * or if the acquire returned without waiting.
     */
    Waiter awaitQueued() {
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (thread.getState() != Thread.State.TIMED_WAITING) {
        assertThat(outcome).as("the acquire returned instead of waiting").isNotDone();
        assertThat(System.nanoTime() - deadline).as("waiter never queued").isNegative();
        Thread.onSpinWait();
      }
      return this;
    }

    /** Waits (bounded) for the thread to finish. */
    void join() throws InterruptedException {
      thread.join(BOUND.toMillis());
      assertThat(thread.isAlive()).as("waiter still running").isFalse();
    }
  }
}
