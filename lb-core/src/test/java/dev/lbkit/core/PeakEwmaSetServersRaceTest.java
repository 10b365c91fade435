package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Race: two {@code setServers} calls on one standalone {@link PeakEwma}. Whichever list is
 * installed last, every server of it must keep taking observations: an estimate that silently stops
 * learning makes the picker treat a busy server as never observed.
 */
class PeakEwmaSetServersRaceTest {

  /** A list that parks the thread on its {@code n}-th traversal until released. */
  private static final class ParkingList extends ArrayList<Server> {
    private static final long serialVersionUID = 1L;
    final AtomicInteger traversals = new AtomicInteger();
    final int parkOn;
    final CountDownLatch parked = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    ParkingList(List<Server> servers, int parkOn) {
      super(servers);
      this.parkOn = parkOn;
    }

    @Override
    public Iterator<Server> iterator() {
      if (traversals.incrementAndGet() == parkOn) {
        parked.countDown();
        try {
          release.await(BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.iterator();
    }
  }

  @Test
  void theServersOfTheLastSetServersKeepTheirEstimates() throws Exception {
    List<Server> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(new Server("10.150.0." + (i + 1), 8080));
    }
    FakeTicker ticker = new FakeTicker();
    PeakEwma picker =
        new PeakEwma(all.subList(0, 2), ticker, RandomSources.seeded(3), PeakEwma.DEFAULT_DECAY);
    // The first call parks if it looks at its list a second time, after its servers are
    // installed (it did, to drop the estimates of the servers not in it).
    ParkingList first = new ParkingList(all.subList(0, 2), 2);
    Thread slow = new Thread(() -> picker.setServers(first), "first setServers");
    slow.setDaemon(true);
    slow.start();
    long parkBound = System.nanoTime() + BOUND.toNanos();
    while (slow.isAlive() && first.parked.getCount() > 0) {
      assertThat(System.nanoTime() - parkBound).as("first call stuck").isNegative();
      Thread.onSpinWait();
    }
    Thread fast = new Thread(() -> picker.setServers(all.subList(1, 4)), "second setServers");
    fast.setDaemon(true);
    fast.start();
    // The second call is done, or waits for the first: either way, let the first finish.
    long bound = System.nanoTime() + BOUND.toNanos();
    while (fast.isAlive() && fast.getState() != Thread.State.BLOCKED) {
      assertThat(System.nanoTime() - bound).as("second call stuck").isNegative();
      Thread.onSpinWait();
    }
    first.release.countDown();
    slow.join(BOUND.toMillis());
    fast.join(BOUND.toMillis());
    assertThat(slow.isAlive() || fast.isAlive()).isFalse();

    List<Server> installed = picker.servers();
    for (Server s : installed) {
      picker.observe(s, 5_000_000);
      assertThat(picker.estimateNanos(s)).as("%s of %s learns", s, installed).isPositive();
    }
  }
}
