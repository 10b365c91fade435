package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Race: a consistent-hash picker is created while one of its servers changes weight. A change made
 * before the picker watches its servers must be in the ring it builds; one made after must reach
 * it. Either way, once both are done, the picker must answer every key as a picker created
 * afterwards does. Each round starts the creation and one weight change together; over a few
 * hundred rounds the change lands in every part of the construction.
 */
class PlacementPickerConstructionRaceTest {

  private static final int ROUNDS = 300;

  @Test
  void aWeightChangedDuringCreationIsNeverLost() throws Exception {
    Server changing = new Server("10.180.0.1", 8080, 1);
    Server other = new Server("10.180.0.2", 8080, 1);
    CyclicBarrier together = new CyclicBarrier(2);
    AtomicReference<@Nullable Throwable> failed = new AtomicReference<>();
    Thread reweigh =
        new Thread(
            () -> {
              try {
                for (int round = 0; round < ROUNDS; round++) {
                  together.await(BOUND.toSeconds(), TimeUnit.SECONDS);
                  changing.setWeight(changing.weight() == 1 ? 50 : 1);
                  together.await(BOUND.toSeconds(), TimeUnit.SECONDS);
                }
              } catch (Throwable e) {
                failed.set(e);
              }
            },
            "reweigh");
    reweigh.setDaemon(true);
    reweigh.start();
    AtomicInteger stale = new AtomicInteger();
    for (int round = 0; round < ROUNDS; round++) {
      together.await(BOUND.toSeconds(), TimeUnit.SECONDS);
      ServerPicker picker = ServerPicker.consistentHash(List.of(changing, other));
      together.await(BOUND.toSeconds(), TimeUnit.SECONDS);
      ServerPicker fresh = ServerPicker.consistentHash(List.of(changing, other));
      for (int k = 0; k < 100; k++) {
        Request request = Request.builder().key("key-" + k).build();
        if (picker.next(request) != fresh.next(request)) {
          stale.incrementAndGet();
          break;
        }
      }
      picker.setServers(List.of()); // stops watching: later rounds do not rebuild it
      fresh.setServers(List.of());
    }
    reweigh.join(BOUND.toMillis());
    assertThat(failed.get()).isNull();
    assertThat(stale).as("pickers whose ring missed the weight change, of %s", ROUNDS).hasValue(0);
  }
}
