package dev.lbkit.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The event heap: time order, scheduling order on ties, moves and cancellations. */
class EventHeapTest {

  private static List<String> drain(EventHeap heap) {
    List<String> trace = new ArrayList<>();
    while (!heap.isEmpty()) {
      int h = heap.poll();
      trace.add(heap.argument(h) + "@" + heap.time(h));
      heap.release(h);
    }
    return trace;
  }

  @Test
  void eventsComeOutInTimeOrderAndTiesInTheOrderScheduled() {
    EventHeap heap = new EventHeap();
    heap.schedule(30, 0, 3);
    heap.schedule(10, 0, 1);
    heap.schedule(20, 0, 2);
    heap.schedule(10, 0, 11);
    assertThat(heap.size()).isEqualTo(4);
    assertThat(heap.peekTime()).isEqualTo(10);
    assertThat(drain(heap)).containsExactly("1@10", "11@10", "2@20", "3@30");
  }

  @Test
  void aRescheduledEventMovesAndGoesAfterEventsAlreadyDueThen() {
    EventHeap heap = new EventHeap();
    int a = heap.schedule(10, 0, 1);
    heap.schedule(20, 0, 2);
    int c = heap.schedule(30, 0, 3);
    heap.reschedule(a, 20);
    heap.reschedule(c, 5);
    assertThat(drain(heap)).containsExactly("3@5", "2@20", "1@20");
  }

  @Test
  void aCancelledEventNeverComesOutAndItsHandleIsReused() {
    EventHeap heap = new EventHeap();
    heap.schedule(10, 0, 1);
    int b = heap.schedule(20, 0, 2);
    heap.schedule(30, 0, 3);
    heap.cancel(b);
    assertThat(heap.schedule(40, 0, 4)).isEqualTo(b);
    assertThat(drain(heap)).containsExactly("1@10", "3@30", "4@40");
  }

  @Test
  void manyRandomOperationsKeepTheOrderOfASortedList() {
    EventHeap heap = new EventHeap();
    SplittableRandom random = new SplittableRandom(7);
    List<Integer> live = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      int op = random.nextInt(3);
      if (op == 0 || live.isEmpty()) {
        live.add(heap.schedule(random.nextLong(1_000_000), 0, i));
      } else if (op == 1) {
        heap.reschedule(live.get(random.nextInt(live.size())), random.nextLong(1_000_000));
      } else {
        heap.cancel(live.remove(random.nextInt(live.size())));
      }
    }
    long last = Long.MIN_VALUE;
    int count = 0;
    while (!heap.isEmpty()) {
      int h = heap.poll();
      assertThat(heap.time(h)).isGreaterThanOrEqualTo(last);
      last = heap.time(h);
      heap.release(h);
      count++;
    }
    assertThat(count).isEqualTo(live.size());
  }
}
