package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static dev.lbkit.core.FacadeFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.FacadeFixtures.Waiter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Waiting acquires when the grant that serves them meets a hostile listener or a deadline. */
class WaitQueueRegressionTest {

  /**
   * One release can serve several waiters at once (here a {@code setServers} that adds two
   * servers). A fatal error from a listener told of the first grant reaches the caller, as
   * documented; the second waiter must still get its lease, not lose it with the slot held for
   * ever.
   */
  @Test
  void aFatalErrorFromOnRoutedForOneGrantStillHandsOutTheOthers() throws Exception {
    Server a = new Server("10.8.0.1", 8080);
    Server b = new Server("10.8.0.2", 8080);
    Server c = new Server("10.8.0.3", 8080);
    LoadBalancer lb =
        LoadBalancer.builder(List.of(a))
            .maxConcurrent(1)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onRouted(Request request, Server server) {
                    if ("/first".equals(request.path())) {
                      throw new StackOverflowError("simulated (expected by the test)");
                    }
                  }
                })
            .build();
    Lease held = lb.acquire(path("/held"));
    Waiter first = new Waiter(lb, path("/first"), BOUND).awaitQueued();
    Waiter second = new Waiter(lb, path("/second"), BOUND).awaitQueued();

    assertThatThrownBy(() -> lb.setServers(List.of(a, b, c)))
        .isInstanceOf(StackOverflowError.class);

    Lease granted = second.outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(granted.isClosed()).isFalse();
    granted.close();
    first.join();
    second.join();
    if (!first.outcome.isCompletedExceptionally()) {
      first.outcome.get().close(); // the lease its listener failed on, given back already
    }
    held.close();
    assertThat(List.of(a, b, c)).allMatch(s -> s.activeConnections() == 0);
    assertThat(lb.waitingAcquires()).isZero();
  }
}
