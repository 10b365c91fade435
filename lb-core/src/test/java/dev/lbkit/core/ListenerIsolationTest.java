package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static dev.lbkit.core.FacadeFixtures.path;
import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Listeners are user code: whatever one throws or however long it blocks, the balancer's
 * bookkeeping completes, the other listeners still hear the event, and no other thread waits on it.
 */
class ListenerIsolationTest {

  /** Throws {@code t} without declaring it, as Lombok's {@code @SneakyThrows} code does. */
  @SuppressWarnings("unchecked")
  static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  @Test
  void anErrorFromOnRoutedDuringAcquireLeaksNoSlot() {
    Server server = servers(1).get(0);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onRouted(Request request, Server s) {
            throw new AssertionError("a listener bug (expected by the test)");
          }
        });
    Lease lease = lb.acquire(path("/a"));
    assertThat(server.activeConnections()).isOne();
    lease.close();
    assertThat(server.activeConnections()).isZero();
    Optional<Lease> again = lb.tryAcquire(path("/b"));
    assertThat(again).isPresent();
    again.get().close();
    CompletableFuture<Void> drained = lb.drain(server);
    assertThat(drained).isCompleted();
  }

  @Test
  void aSneakyCheckedExceptionFromOnRoutedLeaksNoSlot() {
    Server server = servers(1).get(0);
    LoadBalancer lb = LoadBalancer.builder(List.of(server)).maxConcurrent(1).build();
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onRouted(Request request, Server s) {
            ListenerIsolationTest.<RuntimeException>sneakyThrow(
                new java.io.IOException("sneaky (expected by the test)"));
          }
        });
    try (Lease lease = lb.acquire(path("/a"))) {
      assertThat(lease.server()).isEqualTo(server);
    }
    assertThat(server.activeConnections()).isZero();
    assertThat(lb.tryAcquire(path("/b"))).hasValueSatisfying(Lease::close);
  }

  @Test
  void aThrowableFromOnLeaseClosedDoesNotSilenceLaterListeners() {
    LoadBalancer lb = new LoadBalancer(servers(2));
    AtomicInteger heard = new AtomicInteger();
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onLeaseClosed(
              Request request, Server server, long nanos, @Nullable Throwable failure) {
            throw new StackOverflowErrorLike();
          }
        });
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onLeaseClosed(
              Request request, Server server, long nanos, @Nullable Throwable failure) {
            heard.incrementAndGet();
          }
        });
    lb.acquire(path("/a")).close();
    lb.acquire(path("/b")).close();
    assertThat(heard).hasValue(2);
    assertThat(lb.stats().totalCompleted()).isEqualTo(2);
  }

  /** An {@code Error} that is not a {@link VirtualMachineError}, so the balancer isolates it. */
  static final class StackOverflowErrorLike extends Error {
    private static final long serialVersionUID = 1L;

    StackOverflowErrorLike() {
      super("a listener bug (expected by the test)");
    }
  }

  @Test
  void aSlowListenerOnAGrantedWaiterDoesNotStallAnUnrelatedCloseAndAcquire() throws Exception {
    List<Server> two = servers(2);
    LoadBalancer lb = LoadBalancer.builder(two).maxConcurrent(1).build();
    CountDownLatch insideListener = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onRouted(Request request, Server server) {
            if ("/waiter".equals(request.path())) {
              insideListener.countDown();
              try {
                release.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        });
    Lease first = lb.acquire(path("/first"));
    Lease second = lb.acquire(path("/second"));
    List<Lease> granted = Collections.synchronizedList(new ArrayList<>());
    Thread waiter =
        new Thread(
            () -> {
              try {
                granted.add(lb.acquire(path("/waiter"), BOUND));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    waiter.start();
    while (lb.waitingAcquires() == 0) {
      Thread.onSpinWait();
    }
    // Closing the first lease grants it to the waiter, whose listener then blocks...
    Thread closer = new Thread(first::close);
    closer.start();
    assertThat(insideListener.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    // ...but the wait queue's lock is free: an unrelated close and acquire go through at once.
    second.close();
    Optional<Lease> third = lb.tryAcquire(path("/third"));
    assertThat(third).isPresent();
    release.countDown();
    closer.join(BOUND.toMillis());
    waiter.join(BOUND.toMillis());
    assertThat(granted).hasSize(1);
    granted.forEach(Lease::close);
    third.get().close();
    assertThat(lb.stats().activeConnections()).isZero();
  }

  @Test
  void aThrowingMembershipListenerDoesNotUndoTheChange() {
    List<Server> servers = servers(3);
    LoadBalancer lb = new LoadBalancer(servers.subList(0, 2));
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onServerAdded(Server server) {
            throw new IllegalStateException("expected by the test");
          }

          @Override
          public void onServerRemoved(Server server) {
            throw new IllegalStateException("expected by the test");
          }
        });
    lb.addServer(servers.get(2));
    assertThat(lb.servers()).containsExactlyElementsOf(servers);
    lb.removeServer(servers.get(0));
    assertThat(lb.servers()).containsExactly(servers.get(1), servers.get(2));
  }

  @Test
  void aVirtualMachineErrorFromAListenerStillReachesTheCallerAfterTheOthersHeard() {
    LoadBalancer lb = new LoadBalancer(servers(1));
    AtomicInteger heard = new AtomicInteger();
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onRejected(Request request) {
            throw new OutOfMemoryError("simulated (expected by the test)");
          }
        });
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onRejected(Request request) {
            heard.incrementAndGet();
          }
        });
    lb.servers().get(0).setHealthy(false);
    assertThatThrownBy(() -> lb.route(path("/a"))).isInstanceOf(OutOfMemoryError.class);
    assertThat(heard).hasValue(1);
    assertThat(lb.stats().rejected()).isOne();
  }
}
